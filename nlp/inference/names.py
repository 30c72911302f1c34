"""Find bare person names ("Tom Baker", "Jana Kowalskiego", "thanks to Priya") in free text, offline.

The gazetteer is the first and last names of Faker's person providers (PyPI `faker`, MIT, released
monthly) for the locales our respondents write in: English, German, Polish, Spanish and their
neighbours. A name list alone over-redacts ("Will the app…", "Grace period", "Rose Gold"), so context
decides:

- a pair of capitalised words, the first a known first name and the second a known last name
  ("Tom Baker"), or a known first name followed by a capitalised word that is not a common word
  ("Priya Sharma" when Sharma is not listed) → both words are a name;
- a single capitalised known first name → a name when it is not sentence-initial, or when a person
  cue sits next to it ("Sarah was", "thanks to Aisha", "Pani Agnieszka", "el repartidor, Javier");
- a title or form of address (Frau, Herr, Pan, Pani, señor, señora) → the capitalised word after it.

Polish inflects names: "Jana Kowalskiego", "Anną Nowak", "Katarzynie". A word is also looked up by its
likely nominatives (-skiego → -ski, -ą → -a, -ie → -a, Marka → Marek). The surname endings count
everywhere, since no other language has them; the short case endings (-a, -e, -ie, -y, -u …) only in
a text with Polish letters: nearly any capitalised word ends in one, so elsewhere they found "Linie"
in German "an Linie 3" (as Lina) and "Safety" in English (as the Turkish Safet).

Words that are names and also everyday words ("Will", "May", "Mark", "Grace", "Bill", "Jack", "Pilar")
are listed in `nlp/data/names/not_names.txt`: they are names only inside a first-last pair.
Lower-case names, nicknames outside the gazetteer and names in non-Latin scripts are not caught.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NOT_NAMES = Path(__file__).resolve().parent.parent / "data" / "names" / "not_names.txt"
# Faker person providers whose names our respondents are likely to write.
LOCALES = (
    "en_US", "en_GB", "en_IE", "en_IN", "de_DE", "de_AT", "de_CH", "pl_PL", "es_ES", "es_MX", "fr_FR",
    "it_IT", "pt_PT", "pt_BR", "ro_RO", "nl_NL", "cs_CZ", "sk_SK", "lt_LT", "tr_TR", "uk_UA",
)

_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ'’]+(?:-[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ'’]+)?")
# Words just before a single first name that say a person follows.
_BEFORE = re.compile(
    r"(?:\b(?:thanks|thank you|thx|cheers|to|with|by|from|and|ask|asked|tell|told|about|colleague|manager|"
    r"supervisor|driver|engineer|danke|an|mit|von|und|kollege|kollegin|fahrer|dla|z|i|kolega|koleżanka|"
    r"kierownik|kierowniczka|a|con|de|y|compañero|compañera|repartidor|encargado|encargada|"
    r"herr|herrn|frau|pan|pani|pana|panu|panią|panem|señor|señora|sr|sra|don|doña|mr|mrs|ms|miss|dr)"
    r"[,:]?\s+)$",
    re.IGNORECASE,
)
# Words just after a single first name that say it is a person.
_AFTER = re.compile(
    r"^(?:,?\s+(?:was|is|has|had|said|told|helped|called|knows|keeps|always|never|in|on|from|at|and|"
    r"war|ist|hat|aus|vom|von|sagte|ignoriert|był|była|jest|powiedział|powiedziała|z|fue|es|ha|dijo|del|de|"
    r"y|und|i)\b|'s\b|’s\b|,\s)",
    re.IGNORECASE,
)
_TITLES = {
    "frau", "herr", "herrn", "pan", "pani", "pana", "panu", "panią", "panem", "señor", "señora", "sr", "sra",
    "don", "doña",
}
_POLISH_ENDINGS = (
    ("skiego", "ski"), ("skiemu", "ski"), ("skim", "ski"), ("ckiego", "cki"), ("ckiemu", "cki"), ("ckim", "cki"),
    ("dzkiego", "dzki"), ("skiej", "ska"), ("ską", "ska"), ("ckiej", "cka"), ("cką", "cka"),
)
_POLISH_CASES = ("owi", "em", "ie", "ą", "ę", "a", "u", "y", "i", "om")


_POLISH_LETTERS = re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")


@dataclass(frozen=True)
class Gazetteer:
    first: frozenset[str]
    last: frozenset[str]
    not_names: frozenset[str]

    def is_first(self, word: str, polish: bool = False) -> bool:
        return any(form in self.first for form in _forms(word.lower(), polish))

    def is_last(self, word: str, polish: bool = False) -> bool:
        return any(form in self.last for form in _forms(word.lower(), polish))


_lock = threading.Lock()
_gazetteer: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The names of every locale in LOCALES, read once per process (about 0.2 s)."""
    global _gazetteer
    with _lock:
        if _gazetteer is None:
            first: set[str] = set()
            last: set[str] = set()
            for locale in LOCALES:
                provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
                first |= _names(provider, ("first_names", "first_names_male", "first_names_female"))
                last |= _names(provider, ("last_names", "last_names_male", "last_names_female",
                                          "male_last_names", "unisex_last_names"))
            not_names = frozenset(
                line.strip().lower()
                for line in NOT_NAMES.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            )
            _gazetteer = Gazetteer(frozenset(first), frozenset(last), not_names)
        return _gazetteer


def _names(provider: object, attributes: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for attribute in attributes:
        values = getattr(provider, attribute, ())
        if isinstance(values, dict):  # some providers weight names: {name: frequency}
            values = values.keys()
        out |= {str(v).lower() for v in values if len(str(v)) >= 3 and " " not in str(v)}
    return out


@lru_cache(maxsize=4096)
def _forms(word: str, polish: bool = False) -> tuple[str, ...]:
    """The word and its likely Polish nominatives: the surname endings (-skiego) always, since no other
    language has them; the short case endings only for a text that is Polish (`polish`)."""
    forms = [word]
    for ending, nominative in _POLISH_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            forms.append(word[: -len(ending)] + nominative)
    for ending in _POLISH_CASES if polish else ():
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            forms += [stem, stem + "a"]
            if len(stem) >= 3 and stem[-1] not in "aeiouyąęó":
                forms.append(stem[:-1] + "e" + stem[-1])  # Marka → Marek, Pawła → Paweł
    return tuple(dict.fromkeys(forms))


def find_names(text: str) -> list[tuple[int, int]]:
    """Character spans of person names in `text`, in order, not overlapping."""
    g = gazetteer()
    polish = bool(_POLISH_LETTERS.search(text))
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        w = words[i]
        word = w.group(0)
        low = word.lower()
        nxt = words[i + 1] if i + 1 < len(words) else None
        adjacent = nxt is not None and text[w.end() : nxt.start()] == " "
        if low in _TITLES and adjacent and nxt is not None and nxt.group(0).lower() not in g.not_names:
            spans.append((nxt.start(), nxt.end()))
            i += 2
            continue
        if g.is_first(word, polish) or (
            low not in g.not_names and g.is_last(word, polish) and _after_title(text, w.start())
        ):
            # An everyday first word ("Can", "Will") starts a name only before an unmistakable surname.
            pair = _surname_like(nxt.group(0), g, polish) if adjacent and nxt is not None else False
            if pair and nxt is not None and low in g.not_names:
                pair = g.is_last(nxt.group(0), polish) and not g.is_first(nxt.group(0), polish)
            if pair and nxt is not None:
                spans.append((w.start(), nxt.end()))
                i += 2
                continue
            if low not in g.not_names and _single_is_name(text, w.start(), w.end()):
                spans.append((w.start(), w.end()))
        i += 1
    return spans


def _surname_like(word: str, g: Gazetteer, polish: bool) -> bool:
    low = word.lower()
    if low in _TITLES:
        return False
    if g.is_last(word, polish):  # "Tom Baker": an everyday word is a surname after a first name
        return True
    return low not in g.not_names and (
        not g.is_first(word, polish) and word[1:].islower() and len(word) >= 3 and _rare(low)
    )


def _rare(low: str) -> bool:
    """A capitalised word after a first name reads as a surname unless it is an everyday word."""
    return low not in _COMMON_AFTER_NAME


# Capitalised everyday words that follow a first name in our comments without being a surname.
_COMMON_AFTER_NAME = frozenset(
    {
        "and", "from", "in", "at", "on", "was", "is", "the", "thanks", "thank", "please", "team", "store",
        "branch", "station", "office", "service", "support", "und", "aus", "der", "die", "das", "vom", "i",
        "z", "oraz", "y", "de", "del", "la", "el", "gold", "period", "pay", "street", "road", "park", "centre",
    }
)


def _after_title(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].lower().split()
    return bool(before) and before[-1].strip(".") in _TITLES


def _single_is_name(text: str, start: int, end: int) -> bool:
    """A lone first name: mid-sentence, or with a person cue next to it."""
    before = text[max(0, start - 40) : start]
    after = text[end : end + 20]
    if _BEFORE.search(before) or _AFTER.match(after):
        return True
    stripped = before.rstrip()
    sentence_start = not stripped or stripped[-1] in ".!?:;\n\"'(“"
    return not sentence_start
