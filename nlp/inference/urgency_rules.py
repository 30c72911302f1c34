"""Team-written, per-language urgency rules: which URGENCY.md danger a sentence describes, if any.

The rules live in `nlp/data/urgency_rules/<language>.yaml`, one file per respondent language (en, de,
pl, es). Each file gives, per category of the one fixed list `REASONS`, regular expressions matched
case-insensitively within one sentence, a `not_now` list (past, fixed, drills, tests, requests, praise,
news from elsewhere) and a `present` list ("still running", "right now") that overrides `not_now`.

A sentence is a danger when a category pattern matches it and it is not defused: no `not_now` pattern in
it or in the sentence after it, unless a `present` pattern says the danger is still there. When several
categories match, `REASONS` order decides (people first, then the most specific hazard), so the reason
names the danger a safety officer acts on: "sparks and smoke from the socket" is live electrics.

These rules are how urgency works in a language the encoder cannot read; where it can, the detector
combines them with the encoder (nlp/urgency.py).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlp.sentences import split_sentences

RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "urgency_rules"

# The one fixed list of reasons, in the order that breaks ties between categories matching one sentence.
REASONS: tuple[str, ...] = (
    "risk of self-harm",
    "threat of violence",
    "person in danger",
    "blocked fire exit",
    "gas leak",
    "toxic gas or confined space",
    "pressure vessel over limit",
    "live electrics",
    "fire or smoke",
    "chemical spill",
    "unguarded machine",
    "fall from height",
    "vehicle or lifting failure",
    "structural collapse",
)


class RulesError(ValueError):
    """A rule file is missing, malformed, names an unknown category or holds a bad pattern."""


@dataclass(frozen=True)
class RuleMatch:
    """The danger a text describes: one of `REASONS`, and the sentence it was found in."""

    category: str
    sentence: str


@dataclass(frozen=True)
class LanguageRules:
    language: str
    categories: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]  # in REASONS order
    not_now: tuple[re.Pattern[str], ...]
    present: tuple[re.Pattern[str], ...]

    def dangers(self, sentence: str) -> list[str]:
        """Every category whose pattern matches the sentence, in REASONS order."""
        return [name for name, patterns in self.categories if any(p.search(sentence) for p in patterns)]

    def defused(self, sentence: str, following: str = "") -> bool:
        """Past, fixed, a drill, a request...: in this sentence or the next, unless it is still going on."""
        if any(p.search(sentence) for p in self.present):
            return False
        return any(p.search(sentence) or (following and p.search(following)) for p in self.not_now)

    def match(self, text: str) -> RuleMatch | None:
        """The first sentence describing a present danger, and its category; None when there is none."""
        sentences = [s for s, _, _ in split_sentences(text)] or [text]
        for i, sentence in enumerate(sentences):
            found = self.dangers(sentence)
            if not found:
                continue
            following = sentences[i + 1] if i + 1 < len(sentences) else ""
            if not self.defused(sentence, following):
                return RuleMatch(category=found[0], sentence=sentence)
        return None


class UrgencyRules:
    """The rule files of every language there is one for, read and compiled once per process."""

    def __init__(self, directory: Path = RULES_DIR) -> None:
        self.directory = directory
        self._rules: dict[str, LanguageRules] | None = None
        self._lock = threading.Lock()

    def load(self) -> UrgencyRules:
        with self._lock:
            if self._rules is None:
                files = sorted(self.directory.glob("*.yaml"))
                if not files:
                    raise RulesError(f"no urgency rule files in {self.directory}")
                rules = [_read(path) for path in files]
                self._rules = {r.language: r for r in rules}
        return self

    @property
    def languages(self) -> tuple[str, ...]:
        self.load()
        assert self._rules is not None
        return tuple(sorted(self._rules))

    def for_language(self, language: str) -> LanguageRules | None:
        self.load()
        assert self._rules is not None
        return self._rules.get(language)

    def match(self, text: str, language: str) -> RuleMatch | None:
        """The danger `text` describes under the rules of `language` (None: none, or no rules for it)."""
        rules = self.for_language(language)
        return rules.match(text) if rules is not None else None


def _read(path: Path) -> LanguageRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise RulesError(f"{path}: expected `language`, `categories`, `not_now` and `present`")
    language = str(data.get("language") or path.stem)
    unknown = sorted(set(data["categories"]) - set(REASONS))
    if unknown:
        raise RulesError(f"{path}: unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}")
    categories = tuple(
        (name, _compile(path, name, data["categories"][name])) for name in REASONS if name in data["categories"]
    )
    return LanguageRules(
        language=language,
        categories=categories,
        not_now=_compile(path, "not_now", data.get("not_now") or []),
        present=_compile(path, "present", data.get("present") or []),
    )


def _compile(path: Path, section: str, patterns: object) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RulesError(f"{path}: {section} must be a list of patterns")
    out: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise RulesError(f"{path}: {section}: bad pattern {pattern!r}: {exc}") from None
    return tuple(out)


_shared: UrgencyRules | None = None
_shared_lock = threading.Lock()


def shared_rules() -> UrgencyRules:
    """The process-wide rule set (compiled patterns are read-only, so one instance serves every caller)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = UrgencyRules()
        return _shared
