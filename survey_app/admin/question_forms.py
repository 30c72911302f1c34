"""The question editor's fields and a definition question, each made from the other (no request, no database).

The editor shows a question as flat fields: the options one per line, the settings as YAML, the condition as a
question and a comma-separated list of answers, and per language a label, a help text and "value = label" lines
for option and statement labels. `question_form_data` turns a definition question into those fields;
`question_from_form_data` turns them back and returns, per field, the problems only the form can have (settings
that are not YAML, a label line without '='). Everything else is for the definition validator, so the editor
and definition files obey the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey_app.admin.settings_text import read_settings, settings_text
from survey_app.surveys.schema import CHOICE_TYPES


@dataclass(frozen=True)
class QuestionDraft:
    """A definition question built from the form, and the form's own problems by field name."""

    question: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)


def question_form_data(question: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """The editor's field values for one (validated) definition question."""
    condition = question.get("condition") or {}
    data: dict[str, Any] = {
        "key": question["key"], "type": question["type"], "required": question["required"],
        "page": question["page"], "options": "\n".join(question.get("options") or []),
        "settings": settings_text(question.get("settings")),
        "condition_question": condition.get("question", ""),
        "condition_values": ", ".join(str(v) for v in condition.get("in", [])),
    }
    for lang in languages:
        texts = question["texts"].get(lang, {})
        labels = {**texts.get("options", {}), **texts.get("statements", {})}
        data[f"label_{lang}"] = texts.get("label", "")
        data[f"help_{lang}"] = texts.get("help", "")
        data[f"labels_{lang}"] = "\n".join(f"{value} = {label}" for value, label in labels.items())
    return data


def question_from_form_data(data: Mapping[str, Any], languages: Sequence[str]) -> QuestionDraft:
    """The definition question the editor's field values describe."""
    errors: dict[str, list[str]] = {}
    settings, settings_problems = read_settings(data.get("settings") or "")
    if settings_problems:
        errors["settings"] = settings_problems
    statements = settings.get("statements") if isinstance(settings, dict) else None
    statement_keys = {str(s) for s in statements} if isinstance(statements, list) else set()
    texts: dict[str, Any] = {}
    for lang in languages:
        entry: dict[str, Any] = {"label": data.get(f"label_{lang}") or ""}
        help_text = (data.get(f"help_{lang}") or "").strip()
        if help_text:
            entry["help"] = help_text
        for line in (data.get(f"labels_{lang}") or "").splitlines():
            if not line.strip():
                continue
            value, sep, label = line.partition("=")
            if not sep:
                errors.setdefault(f"labels_{lang}", []).append(f"write 'value = label', not {line.strip()!r}")
                continue
            group = "statements" if value.strip() in statement_keys else "options"
            entry.setdefault(group, {})[value.strip()] = label.strip()
        texts[lang] = entry
    condition = None
    if data.get("condition_question"):
        values = [v.strip() for v in (data.get("condition_values") or "").split(",") if v.strip()]
        condition = {"question": data["condition_question"], "in": values}
    options = [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()]
    qtype = data.get("type")
    question = {"key": (data.get("key") or "").strip(), "type": qtype, "required": bool(data.get("required")),
                "page": data.get("page"),
                # A non-choice question with no options has none (None), so the validator does not complain.
                "options": options if qtype in CHOICE_TYPES else options or None,
                "settings": settings, "condition": condition, "texts": texts}
    return QuestionDraft(question, errors)
