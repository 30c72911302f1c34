"""Language detection: right on short answers, hints only where the text cannot tell, unknown scripts not guessed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp.inference.language import LanguageDetector, not_analysed_reason, shared_detector

HELDOUT = Path(__file__).resolve().parents[3] / "nlp" / "data" / "urgency_heldout.csv"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Wszystko w porządku, dziękuję", "pl"),
        ("Kierowca wózka jechał za szybko", "pl"),
        ("Notausgang mit Paletten zugestellt.", "de"),
        ("Todo bien, gracias", "es"),
        ("Forklift too fast.", "en"),
        ("No gloves.", "en"),
        ("一切都很好，谢谢", "zh"),
    ],
)
def test_short_answers_get_their_language(text: str, code: str) -> None:
    [found] = shared_detector().detect([text])
    assert (found.code, found.script_known) == (code, True)


def test_a_script_no_known_language_uses_is_not_guessed() -> None:
    [tamil] = shared_detector().detect(["உணவு நன்றாக இருந்தது"], ["en"])
    assert (tamil.code, tamil.script_known) == ("", False)
    assert not_analysed_reason(tamil) == "not analysed: unknown script"


def test_text_without_letters_has_no_language() -> None:
    assert [(d.code, d.script_known) for d in shared_detector().detect(["👍", "12345", ""])] == [("", True)] * 3


def test_the_page_language_settles_what_the_text_cannot() -> None:
    detector = shared_detector()
    ok_en, ok_pl, long_pl, cyrillic = detector.detect(
        ["ok", "ok", "Wszystko w porządku, dziękuję bardzo za pomoc", "Все добре, дякую"], ["en", "pl", "en", "en"]
    )
    assert (ok_en.code, ok_pl.code) == ("en", "pl")
    assert long_pl.code == "pl"  # a clear text is not overruled by the page language
    assert cyrillic.code in ("uk", "ru")  # a hint never turns one script into another's language


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="2 hints for 1 texts"):
        shared_detector().detect(["hello"], ["en", "de"])
    with pytest.raises(ValueError, match="no language model for xx"):
        LanguageDetector(["en", "xx"])


def test_held_out_reports_are_detected_in_their_language() -> None:
    with HELDOUT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = shared_detector().detect([r["text"] for r in rows])
    right = sum(d.code == r["language"] for d, r in zip(found, rows, strict=True))
    assert right / len(rows) >= 0.97
