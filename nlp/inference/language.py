"""Which language is an answer written in? Offline, on short texts, with an honest "unknown".

Detection uses lingua (`lingua-language-detector`, Apache-2.0), restricted to `KNOWN`: the four
respondent languages of the survey pages (en, de, pl, es), the other languages workers on our sites
write in, and a few in other scripts so that an Arabic or Chinese answer is named rather than
guessed. Restricting the set is what makes lingua accurate on one-line answers (it compares only
these models) and keeps its memory small.

Rules on top of the detector:
- Text with no letters (emoji, digits) has no language: `code` is "" and `script_known` is True;
  it is analysed like any other answer when it reaches the models (an emoji is read as words).
- Text whose letters are mostly in a script none of the `KNOWN` languages is written in (Tamil,
  Amharic, ...) is not guessed: `code` "" and `script_known` False, so the caller marks it
  "not analysed".
- Short answers ("ok", "gut", "brak") are ambiguous between languages. The respondent chose a page
  language (`hint`); when the text is short and the detector gives that language a fair share of
  its confidence, the hint wins. Longer text goes by the detector alone.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# ISO 639-1 codes lingua is asked to choose from (see the module docstring for why these).
RESPONDENT_LANGUAGES = ("en", "de", "pl", "es")
KNOWN = RESPONDENT_LANGUAGES + (
    "fr", "it", "pt", "nl", "ro", "cs", "sk", "lt", "uk", "ru", "tr", "ar", "zh", "ja", "ko", "el", "he", "hi",
)
# Scripts the KNOWN languages are written in (the first word of a letter's Unicode name).
KNOWN_SCRIPTS = frozenset(
    {"LATIN", "CYRILLIC", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "GREEK", "HEBREW", "DEVANAGARI"}
)
TINY_LETTERS = 5  # "ok", "gut", "nie": no detector can tell these apart; the page language decides
SHORT_LETTERS = 16  # below this many letters, a plausible hint beats the detector's first choice
HINT_SHARE_SHORT = 0.1  # ... when the hint has at least this confidence
HINT_SHARE_LONG = 0.5  # longer text: the hint needs half the top language's confidence
# Short text with no hint: the respondent languages are far likelier than the others, so the others'
# confidence counts half (an English "No gloves." must not come out Slovak).
OTHER_PRIOR_SHORT = 0.5


@dataclass(frozen=True)
class DetectedLanguage:
    """`code` is ISO 639-1, or "" when no language can be told; `script_known` False means an unknown script."""

    code: str
    script_known: bool = True
    confidence: float = 0.0


class LanguageDetector:
    """lingua restricted to `KNOWN`, built lazily once per process (building takes ~1 s)."""

    def __init__(self, languages: Sequence[str] = KNOWN) -> None:
        unknown = sorted(set(languages) - set(KNOWN))
        if unknown:
            raise ValueError(f"no language model for {', '.join(unknown)}: choose from {', '.join(KNOWN)}")
        self.languages = tuple(languages)
        self._detector: Any = None
        self._lock = threading.Lock()

    def load(self) -> LanguageDetector:
        with self._lock:
            if self._detector is None:
                try:
                    from lingua import IsoCode639_1, LanguageDetectorBuilder
                except ImportError as exc:  # pragma: no cover - a hard dependency
                    raise RuntimeError("language detection needs lingua: pip install lingua-language-detector") from exc
                codes = [getattr(IsoCode639_1, code.upper()) for code in self.languages]
                self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
        return self

    def detect(self, texts: Sequence[str], hints: Sequence[str | None] | None = None) -> list[DetectedLanguage]:
        """One result per text, in order; `hints` are the page languages respondents chose (or None)."""
        self.load()
        hints = list(hints) if hints is not None else [None] * len(texts)
        if len(hints) != len(texts):
            raise ValueError(f"{len(hints)} hints for {len(texts)} texts")
        return [self._one(text, hint) for text, hint in zip(texts, hints, strict=True)]

    def _one(self, text: str, hint: str | None) -> DetectedLanguage:
        letters = [ch for ch in text if ch.isalpha()]
        if not letters:
            return DetectedLanguage(code="")
        if not _script_known(letters):
            return DetectedLanguage(code="", script_known=False)
        if hint and len(letters) < TINY_LETTERS and hint in self.languages and _same_script(hint, letters):
            return DetectedLanguage(code=hint)
        values = self._detector.compute_language_confidence_values(text)
        confidences = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}
        if not confidences or max(confidences.values()) <= 0.0:
            # Letters of a known script but no model recognises them: say so rather than guess.
            return DetectedLanguage(code="", script_known=False)
        short = len(letters) < SHORT_LETTERS
        weighted = {
            code: value * (1.0 if not short or code in RESPONDENT_LANGUAGES else OTHER_PRIOR_SHORT)
            for code, value in confidences.items()
        }
        top = max(weighted, key=lambda code: weighted[code])
        if hint and hint != top and hint in confidences:
            share = HINT_SHARE_SHORT if short else HINT_SHARE_LONG * confidences[top]
            if confidences[hint] >= share:
                return DetectedLanguage(code=hint, confidence=round(confidences[hint], 4))
        return DetectedLanguage(code=top, confidence=round(confidences[top], 4))


def _script_known(letters: list[str]) -> bool:
    """True when most letters are in a script one of the KNOWN languages is written in."""
    known = sum(1 for ch in letters if _script(ch) in KNOWN_SCRIPTS)
    return known * 2 > len(letters)


def _same_script(code: str, letters: list[str]) -> bool:
    """Whether the letters are in the script `code` is written in (a hint never turns Cyrillic into English)."""
    expected = _LANGUAGE_SCRIPT.get(code, "LATIN")
    return all(_script(ch) == expected for ch in letters)


_LANGUAGE_SCRIPT = {
    "uk": "CYRILLIC", "ru": "CYRILLIC", "ar": "ARABIC", "zh": "CJK", "ja": "CJK", "ko": "HANGUL",
    "el": "GREEK", "he": "HEBREW", "hi": "DEVANAGARI",
}


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def not_analysed_reason(language: DetectedLanguage) -> str:
    """What an analyst reads for an answer the encoder cannot read: "not analysed: pl"."""
    return f"not analysed: {language.code or 'unknown script'}"


_shared: LanguageDetector | None = None
_shared_lock = threading.Lock()


def shared_detector() -> LanguageDetector:
    """The process-wide detector (the models are read-only once built, so one instance serves every caller)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LanguageDetector()
        return _shared


def model_languages(folder: Path | None) -> frozenset[str]:
    """The languages a model reads, from its model card (README.md front matter, `language:`).

    "multilingual" means every language we detect. A model without a card, or a card without the
    field, is taken to read English only: an answer it may not read is then marked "not analysed"
    rather than scored as if it were English. Add `language: [en, de, pl, es]` to the front matter of
    a model folder's README.md to declare more.
    """
    if folder is None:
        return frozenset({"en"})
    try:
        text = (folder / "README.md").read_text(encoding="utf-8")
    except OSError:
        return frozenset({"en"})
    if not text.startswith("---"):
        return frozenset({"en"})
    try:
        front = yaml.safe_load(text.split("---", 2)[1]) or {}
    except yaml.YAMLError:
        return frozenset({"en"})
    declared = front.get("language") if isinstance(front, dict) else None
    values = [declared] if isinstance(declared, str) else list(declared or [])
    codes = {str(v).strip().lower() for v in values}
    if "multilingual" in codes:
        return frozenset(KNOWN)
    readable = frozenset(c for c in codes if len(c) == 2 and c.isalpha())
    return readable or frozenset({"en"})
