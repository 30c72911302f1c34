"""Redaction of personal data: what is caught, what is kept, and never raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.inference.redact import redact

CASES = [
    ("Mail jane.doe+x@example.co.uk today", "Mail [EMAIL] today", ("EMAIL",)),
    ("Call +44 20 7946 0958 or 0049 30 1234567", "Call [PHONE] or [PHONE]", ("PHONE",)),
    ("Ring (555) 123-4567, +1-202-555-0173 or +33 1 23 45 67 89", "Ring [PHONE], [PHONE] or [PHONE]", ("PHONE",)),
    ("Mobile 07700 900123.", "Mobile [PHONE].", ("PHONE",)),
    ("See https://shop.example.com/order?id=1&token=abc now", "See [URL] now", ("URL",)),
    ("Reset at https://x.io/reset/a8f3k2m9q7w1e5r4t6y8u0 ok", "Reset at [URL] ok", ("URL",)),
    ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN [NUMBER] please", ("NUMBER",)),
    ("card 4111 1111 1111 1111", "card [NUMBER]", ("NUMBER",)),
    ("My name is Sarah Connor.", "My name is [NAME].", ("NAME",)),
    ("I spoke to Dr Patel and asked for Tom", "I spoke to Dr [NAME] and asked for [NAME]", ("NAME",)),
    ("Mrs. O'Brien was great", "Mrs. [NAME] was great", ("NAME",)),
]

KEPT = [
    "See https://example.com/help for details",
    "In 2019 we had 25 staff, order 12345, 2019-2020",
    "I waited 45 minutes at 12.07.2023",
    "I spoke to Customer Service and asked for the manager",
    "card 4111 1111 1111 1112",  # fails Luhn
]


def test_check_digits_decide_what_is_an_account_number() -> None:
    # Fails mod-97: not an IBAN (its long digit run may still be taken for a phone number).
    assert "[NUMBER]" not in redact("GB00 WEST 1234 5698 7654 32").text


@pytest.mark.parametrize(("text", "expected", "kinds"), CASES)
def test_personal_data_is_replaced(text: str, expected: str, kinds: tuple[str, ...]) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.kinds == kinds


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(text).text == text
    assert redact(text).kinds == ()


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "\x00\xff" * 100, "word " * 20_000])
def test_bad_input_is_returned_unchanged(text: str) -> None:
    assert redact(text).text == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_and_only_adds_placeholders(text: str) -> None:
    result = redact(text)
    assert isinstance(result.text, str)
    assert set(result.kinds) <= {"EMAIL", "URL", "NUMBER", "PHONE", "NAME"}
    if not result.kinds:
        assert result.text == text
