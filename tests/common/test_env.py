"""Reading HEEDFUL_* values: defaults, blanks, and one error line that names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from common import env


def test_unset_and_blank_mean_the_default() -> None:
    assert env.read({}, "HEEDFUL_X", env.whole_number(), 7) == 7
    assert env.read({"HEEDFUL_X": "  "}, "HEEDFUL_X", env.whole_number(), 7) == 7
    assert env.read({"HEEDFUL_X": " 12 "}, "HEEDFUL_X", env.whole_number(), 7) == 12


def test_blank_can_be_an_error_where_empty_makes_no_sense() -> None:
    with pytest.raises(env.SettingError, match="HEEDFUL_MODEL must not be empty"):
        env.read({"HEEDFUL_MODEL": " "}, "HEEDFUL_MODEL", env.text, "default", blank_is_unset=False)


@pytest.mark.parametrize(
    ("parse", "raw", "message"),
    [
        (env.whole_number(), "twenty", "HEEDFUL_X must be a whole number, not 'twenty'"),
        (env.whole_number(1), "0", "HEEDFUL_X must be at least 1, not '0'"),
        (env.whole_number(), "-3", "HEEDFUL_X must be at least 0, not '-3'"),
        (env.fraction, "1.5", "HEEDFUL_X must be between 0 and 1, not '1.5'"),
        (env.fraction, "high", "HEEDFUL_X must be a number between 0 and 1"),
        (env.boolean, "maybe", "HEEDFUL_X must be true or false"),
        (env.existing_file, "/nonexistent/ca.pem", "HEEDFUL_X must name a readable file"),
    ],
)
def test_bad_values_name_the_variable(parse: object, raw: str, message: str) -> None:
    with pytest.raises(env.SettingError) as info:
        env.read({"HEEDFUL_X": raw}, "HEEDFUL_X", parse, None)  # type: ignore[arg-type]
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_values() -> None:
    assert [env.boolean(v) for v in ("1", "TRUE", "yes", "On", "0", "off", "No")] == [True] * 4 + [False] * 3
    assert env.fraction("0.25") == 0.25
    assert env.comma_list(" a@x.org, ,b@y.org ") == ("a@x.org", "b@y.org")


def test_existing_file_is_resolved(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    assert env.existing_file(str(ca)) == ca.resolve()
