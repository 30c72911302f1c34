"""A question's settings as the YAML text the editor shows, and that text read back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from survey_app.surveys.errors import DefinitionError, Problem
from survey_app.surveys.source import read_source


def settings_text(settings: Mapping[str, Any] | None) -> str:
    """The settings as block YAML in definition order ('' when there are none)."""
    if not settings:
        return ""
    return yaml.safe_dump(dict(settings), sort_keys=False, allow_unicode=True).strip()


def read_settings(text: str) -> tuple[Any, list[str]]:
    """The value written in the settings box and the problems reading it ({} for an empty box).

    Read with the definition reader, so the box has the same limits (depth, aliases, duplicate keys) as an
    uploaded file. Whether the value is valid for the question type is for the definition validator.
    """
    if not text.strip():
        return {}, []
    try:
        value, _lines, problems = read_source(text, "yaml", "settings")
    except DefinitionError as exc:
        return {}, [_say(p) for p in exc.problems]
    return (value, []) if not problems else ({}, [_say(p) for p in problems])


def _say(problem: Problem) -> str:
    """The problem without the "(definition)" a whole file's problem names: the box is the settings."""
    where = f"line {problem.line}: " if problem.line is not None else ""
    return where + (f"{problem.field}: " if problem.field else "") + problem.message
