"""Remove personal data from free text before it is stored or shown: rules, no model, offline.

Caught: e-mail addresses → [EMAIL]; URLs that carry a query string, fragment or a long token-like
path segment → [URL] (plain links such as ``https://example.com/help`` are kept); IBANs (checked
with mod-97) and card-like numbers (13–19 digits passing Luhn) → [NUMBER]; phone numbers in
international (+44 20 7946 0958, 0044 …) and national formats with 9–15 digits → [PHONE];
person names in common self-introduction and reference patterns → [NAME]:
"my name is X", "I am/I'm X" only when X is capitalised and followed by a title-like context is
*not* attempted (too many false hits: "I'm Happy"), "ask for X", "speak to / spoke to / talked to X",
"call me X", "signed X", "thanks to X", and titles "Mr/Mrs/Ms/Miss/Dr/Prof X (Y)"; and bare names
("Tom Baker", "Sarah was great", "Jana Kowalskiego") found with a names gazetteer and context
(nlp/inference/names.py).

Not caught: names in lower case, first names missing from the gazetteer with no surname after them,
postal addresses, dates of birth, ID numbers shorter than 9 digits. No maintained, offline NER model
is installable from the package registry we use (the official spaCy models are not on PyPI;
third-party re-uploads were not adopted). See docs/redaction.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlp.inference.names import find_names
from nlp.types import Redaction

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_LONG_NUMBER = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)")
_PHONE = re.compile(
    r"(?<![\w+(])(?:(?:\+|00)\d{1,4}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{1,5}(?:[\s.-]?\d{2,5}){1,5}(?!\w)"
)
_TOKENISH = re.compile(r"[A-Za-z0-9_-]{20,}")
_NAME_WORD = r"[A-Z][A-Za-zÀ-ÿ'’-]+(?:[ -][A-Z][A-Za-zÀ-ÿ'’-]+)?"
_NAME_CUES = re.compile(
    r"(?:\b(?:my name is|my name's|name is|ask for|asked for|speak to|spoke to|spoken to|talk to|talked to"
    r"|call me|signed|thanks to|thank you to|served by|helped by|dealt with by)\s+)"
    rf"(?P<name>{_NAME_WORD})",
    re.IGNORECASE,
)
_TITLE = re.compile(rf"\b(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?P<name>{_NAME_WORD})")
# Capitalised words after a cue that are not names ("I spoke to Customer Service", "ask for The manager").
_NOT_NAMES = {
    "the", "a", "an", "my", "your", "our", "their", "his", "her", "someone", "somebody", "anyone",
    "customer", "customers", "service", "support", "manager", "management", "staff", "team", "reception",
    "security", "everyone", "nobody", "them", "him", "it", "hr", "it's", "sales", "billing", "help",
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof",
}


def redact(text: str) -> Redaction:
    """Replace personal data with [EMAIL], [URL], [NUMBER], [PHONE], [NAME]; never raises."""
    if not text or not text.strip():
        return Redaction(text=text or "", kinds=())
    kinds: list[str] = []

    def mark(kind: str) -> str:
        if kind not in kinds:
            kinds.append(kind)
        return f"[{kind}]"

    out = _EMAIL.sub(lambda m: mark("EMAIL"), text)
    out = _URL.sub(lambda m: mark("URL") if _url_is_personal(m.group(0)) else m.group(0), out)
    out = _IBAN.sub(lambda m: mark("NUMBER") if _iban_ok(m.group(0)) else m.group(0), out)
    out = _LONG_NUMBER.sub(lambda m: mark("NUMBER") if _luhn_ok(m.group(0)) else m.group(0), out)
    out = _PHONE.sub(lambda m: mark("PHONE") if _phone_like(m.group(0)) else m.group(0), out)
    out = _TITLE.sub(lambda m: m.group(0)[: m.start("name") - m.start()] + mark("NAME"), out)
    out = _NAME_CUES.sub(_name_sub(mark), out)
    out = _bare_names(out, mark)
    order = ("EMAIL", "URL", "NUMBER", "PHONE", "NAME")
    return Redaction(text=out, kinds=tuple(k for k in order if k in kinds))


def _name_sub(mark: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if not name[0].isupper() or name.split()[0].lower() in _NOT_NAMES:
            return m.group(0)
        return m.group(0)[: m.start("name") - m.start()] + mark("NAME")

    return sub


def _bare_names(text: str, mark: Callable[[str], str]) -> str:
    spans = find_names(text)
    for start, end in reversed(spans):
        text = text[:start] + mark("NAME") + text[end:]
    return text


def _url_is_personal(url: str) -> bool:
    """Links with a query, fragment or token-like segment can identify a person or grant access."""
    if "?" in url or "#" in url or "@" in url:
        return True
    path = url.split("://", 1)[-1].split("/", 1)[1] if "/" in url.split("://", 1)[-1] else ""
    return any(_TOKENISH.fullmatch(seg) and any(c.isdigit() for c in seg) for seg in path.split("/"))


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _phone_like(s: str) -> bool:
    digits = _digits(s)
    if not 9 <= len(digits) <= 15:
        return False
    # Years and plain quantities ("2019 2020", "1000000000") are not phones: need a separator or prefix.
    stripped = s.strip()
    return stripped.startswith(("+", "00", "0", "(")) or bool(re.search(r"[\s.-]", stripped))


def _luhn_ok(s: str) -> bool:
    digits = [int(c) for c in _digits(s)]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(s: str) -> bool:
    compact = s.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return False
    return number % 97 == 1
