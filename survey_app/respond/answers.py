"""Read what a respondent typed for each question type, keep it as typed, and turn it into clean values.

Survey questions are data (Question rows), so instead of building a WTForms class per survey each type
has a small reader here. The raw input (form field name → str or list of str) is what travels in the
signed draft and is echoed back on errors, so nothing typed is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict

from survey_app.respond.definitions import QuestionDef

Raw = dict[str, Any]

SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "likert": (1, 5)}
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
OTHER_MAX = 200
YES_NO = ("yes", "no")


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return message


@dataclass
class Problem:
    message: str
    params: dict[str, Any] = field(default_factory=dict)


def field_name(q: QuestionDef, part: str | None = None) -> str:
    return f"q-{q.key}" + (f"-{part}" if part else "")


def scale_range(q: QuestionDef) -> tuple[int, int]:
    if q.type == "rating":
        lo = int((q.settings or {}).get("min", 1))
        hi = int((q.settings or {}).get("max", 5))
        return (lo, hi) if lo < hi else (1, 5)
    return SCALES[q.type]


def statement_keys(q: QuestionDef, default_language: str) -> list[str]:
    """Matrix statements: settings.statements (list of keys) or the keys of the default texts."""
    keys = (q.settings or {}).get("statements")
    if isinstance(keys, list) and keys:
        return [str(k) for k in keys]
    texts = (q.texts or {}).get(default_language) or next(iter((q.texts or {}).values()), {})
    return [str(k) for k in (texts.get("statements") or {})]


def allows_other(q: QuestionDef) -> bool:
    return bool((q.settings or {}).get("allow_other"))


def text_limit(q: QuestionDef) -> int:
    default = LONG_TEXT_MAX if q.type == "long_text" else SHORT_TEXT_MAX
    try:
        return max(1, int((q.settings or {}).get("max_length", default)))
    except (TypeError, ValueError):
        return default


def field_names(q: QuestionDef, default_language: str) -> list[str]:
    """Every form field a question owns (a matrix has one per statement; "other" has its own box)."""
    if q.type == "matrix":
        return [field_name(q, s) for s in statement_keys(q, default_language)]
    names = [field_name(q)]
    if q.type in ("single_choice", "multiple_choice") and allows_other(q):
        names.append(field_name(q, "other"))
    return names


def read_raw(questions: list[QuestionDef], form: MultiDict[str, str], default_language: str) -> Raw:
    """The submitted input for these questions, exactly as typed (lists for checkboxes)."""
    raw: Raw = {}
    for q in questions:
        for name in field_names(q, default_language):
            if q.type == "multiple_choice" and name == field_name(q):
                values = form.getlist(name)
                if values:
                    raw[name] = values
            elif name in form:
                raw[name] = form.get(name, "")
    return raw


_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _bad_text(value: str) -> bool:
    """NUL bytes (PostgreSQL text cannot hold them) or bytes that are not UTF-8.

    Multipart bodies decode invalid UTF-8 as U+FFFD; URL-encoded bodies keep the undecodable escapes
    as literal "%E9" text, so a run of escapes that is not valid UTF-8 counts as unreadable too.
    """
    if "\x00" in value or "\ufffd" in value:
        return True
    for run in _ESCAPES.findall(value):
        raw = unquote_to_bytes(run)
        if max(raw) >= 0x80:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return True
    return False


def _int_in(value: str, lo: int, hi: int) -> int | None:
    value = value.strip()
    if not value.lstrip("-").isdigit() or len(value) > 4:
        return None
    n = int(value)
    return n if lo <= n <= hi else None


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    # "Other, please say" texts by question key (the choice itself is the value "other").
    others: dict[str, str] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)


def parse(
    questions: list[QuestionDef],
    raw: Mapping[str, Any],
    *,
    default_language: str,
    site_ids: set[int],
    department_ids: set[int],
) -> Parsed:
    """Clean values for answered questions and a problem per invalid one (`required` is checked later,
    because only shown questions are required and visibility depends on these values)."""
    out = Parsed()
    for q in questions:
        try:
            value = _parse_one(q, raw, default_language, site_ids, department_ids)
        except _Invalid as exc:
            out.problems[q.key] = exc.problem
            continue
        if isinstance(value, _Chosen):
            if value.other is not None:
                out.others[q.key] = value.other
            value = value.values[0] if q.type == "single_choice" else value.values
        if value is not None:
            out.values[q.key] = value
    return out


@dataclass
class _Chosen:
    values: list[str]
    other: str | None


def required_problem(q: QuestionDef) -> Problem:
    if q.type in ("multiple_choice",):
        return Problem(N_("Please choose at least one answer."))
    if q.type == "matrix":
        return Problem(N_("Please answer every statement."))
    if q.type in ("short_text", "long_text"):
        return Problem(N_("Please write an answer."))
    if q.type == "consent":
        return Problem(N_("Please tick the box to go on."))
    return Problem(N_("Please choose an answer."))


class _Invalid(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.problem = Problem(message, params)


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _parse_one(
    q: QuestionDef, raw: Mapping[str, Any], lang: str, site_ids: set[int], department_ids: set[int]
) -> Any:
    name = field_name(q)
    if q.type in SCALES or q.type == "rating":
        value = _text(raw, name)
        if not value.strip():
            return None
        lo, hi = scale_range(q)
        n = _int_in(value, lo, hi)
        if n is None:
            raise _Invalid(N_("Please choose a number from %(lo)s to %(hi)s."), lo=lo, hi=hi)
        return n
    if q.type == "matrix":
        grid: dict[str, int] = {}
        for key in statement_keys(q, lang):
            value = _text(raw, field_name(q, key))
            if not value.strip():
                continue
            n = _int_in(value, 1, 5)
            if n is None:
                raise _Invalid(N_("Please choose a number from %(lo)s to %(hi)s."), lo=1, hi=5)
            grid[key] = n
        if grid and len(grid) < len(statement_keys(q, lang)):
            raise _Invalid(N_("Please answer every statement."))
        return grid or None
    if q.type == "single_choice":
        value = _text(raw, name)
        if not value:
            return None
        return _choices(q, [value], raw)
    if q.type == "multiple_choice":
        values = raw.get(name) or []
        values = [values] if isinstance(values, str) else [str(v) for v in values]
        if not values:
            return None
        max_choices = (q.settings or {}).get("max_choices")
        if isinstance(max_choices, int) and len(set(values)) > max_choices:
            raise _Invalid(N_("Please choose at most %(n)s answers."), n=max_choices)
        return _choices(q, values, raw)
    if q.type == "yes_no":
        value = _text(raw, name)
        if not value:
            return None
        if value not in YES_NO:
            raise _Invalid(N_("Please choose one of the answers shown."))
        return value
    if q.type in ("short_text", "long_text"):
        value = _text(raw, name)
        if _bad_text(value):
            raise _Invalid(N_("This answer contains characters we cannot read. Please retype it."))
        value = value.replace("\r\n", "\n").strip()
        if not value:
            return None
        limit = text_limit(q)
        if len(value) > limit:
            raise _Invalid(
                N_("Please shorten this answer to %(max)s characters (it has %(n)s)."), max=limit, n=len(value)
            )
        return value
    if q.type in ("site", "department"):
        value = _text(raw, name).strip()
        if not value:
            return None
        allowed = site_ids if q.type == "site" else department_ids
        if not value.isdigit() or int(value) not in allowed:
            raise _Invalid(N_("Please choose one of the answers shown."))
        return int(value)
    if q.type == "consent":
        value = _text(raw, name)
        if not value:
            return None
        if value != "yes":
            raise _Invalid(N_("Please choose one of the answers shown."))
        return True
    raise _Invalid(N_("Please choose one of the answers shown."))


def _choices(q: QuestionDef, values: list[str], raw: Mapping[str, Any]) -> _Chosen:
    """Validate chosen option values; "other" needs its text."""
    allowed = {str(o) for o in (q.options or [])}
    if allows_other(q):
        allowed.add("other")
    chosen: list[str] = []
    for v in values:
        if v not in allowed:
            raise _Invalid(N_("Please choose one of the answers shown."))
        if v not in chosen:
            chosen.append(v)
    other = _text(raw, field_name(q, "other"))
    if allows_other(q) and "other" in chosen and "other" not in {str(o) for o in q.options or []}:
        if _bad_text(other):
            raise _Invalid(N_("This answer contains characters we cannot read. Please retype it."))
        other = other.strip()
        if not other:
            raise _Invalid(N_("You chose “Other”: please say what."))
        if len(other) > OTHER_MAX:
            raise _Invalid(N_("Please shorten this answer to %(max)s characters (it has %(n)s)."),
                           max=OTHER_MAX, n=len(other))
        return _Chosen(chosen, other)
    return _Chosen(chosen, None)


def is_answered(value: Any) -> bool:
    return value is not None and value != [] and value != {}
