"""Which editor field a definition problem belongs to, so its message appears beside what caused it.

The definition validator names each problem by a path into the definition ("questions[2].texts.en.options.web");
the editor's fields are flat ("labels_en"). The path is read back into its parts and matched against the few
shapes the editor shows; a problem no field of the form shows goes to the top of the page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from survey_app.admin.survey_forms import SURVEY_FIELDS, TEXT_KEYS
from survey_app.surveys.errors import Problem

PathParts = tuple[str | int, ...]

# Definition key of a question -> the editor field that edits it.
QUESTION_FIELDS = {"key": "key", "type": "type", "required": "required", "page": "page", "options": "options",
                   "settings": "settings", "condition": "condition_question"}
# Key under questions[i].texts.<lang> -> the per-language field (option and statement labels share one).
QUESTION_TEXTS = {"label": "label", "help": "help", "options": "labels", "statements": "labels"}

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def path_parts(path: str) -> PathParts:
    """'questions[2].texts.en' -> ('questions', 2, 'texts', 'en') (the inverse of surveys.source.path_text)."""
    return tuple(int(index) if index else name for index, name in _PART.findall(path))


def field_for(path: str) -> str | None:
    """The editor field that edits the definition value at `path`, or None when no field does."""
    match path_parts(path):
        case ("texts", str(lang), str(key), *_) if key in TEXT_KEYS:
            return f"text_{key}_{lang}"
        case ("questions", int(), "texts", str(lang), str(key), *_) if key in QUESTION_TEXTS:
            return f"{QUESTION_TEXTS[key]}_{lang}"
        case ("questions", int(), str(key), *_) if key in QUESTION_FIELDS:
            return QUESTION_FIELDS[key]
        case (str(key), *_) if key in SURVEY_FIELDS:
            return key
    return None


def place_problems(problems: Iterable[Problem],
                   fields: Collection[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Split problems into messages per form field (of those in `fields`) and lines for the top of the form."""
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for problem in problems:
        name = field_for(problem.field)
        if name is not None and name in fields:
            by_field.setdefault(name, []).append(problem.message)
        else:
            rest.append(str(problem))
    return by_field, rest


def split_question_problems(problems: Iterable[Problem], index: int) -> tuple[list[Problem], list[Problem]]:
    """The problems of the question at `index` (shown on its form), and all others (shown above it)."""
    mine: list[Problem] = []
    others: list[Problem] = []
    for problem in problems:
        parts = path_parts(problem.field)
        (mine if parts[:2] == ("questions", index) else others).append(problem)
    return mine, others
