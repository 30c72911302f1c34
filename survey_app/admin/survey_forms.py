"""The survey settings form's fields and a survey, each made from the other (no request, no database).

The form edits the survey-level part of a definition; the per-language texts (title, intro, thanks) get one
field each for the survey's languages. The taxonomy select offers the shared taxonomies by name, "" for the
audience's default and, for a survey whose topics came inline in its definition file, INLINE to keep them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from models import Survey
from survey_app.surveys.store import INLINE_KIND

INLINE = "__inline__"
# The survey-level definition keys the form edits (the rest of a definition: texts and questions).
SURVEY_FIELDS = ("slug", "title", "audience", "languages", "default_language", "opens_at", "closes_at",
                 "response_cap", "min_group_size", "min_comment_group_size", "retention_months", "taxonomy",
                 "rate_limit_per_minute")
TEXT_KEYS = ("title", "intro", "thanks")


def survey_form_data(survey: Survey) -> dict[str, Any]:
    """The settings form's field values for a stored survey."""
    taxonomy = survey.taxonomy
    data: dict[str, Any] = {
        "slug": survey.slug, "title": survey.title, "audience": survey.audience,
        "languages": ", ".join(survey.languages), "default_language": survey.default_language,
        "opens_at": _moment_text(survey.opens_at), "closes_at": _moment_text(survey.closes_at),
        "response_cap": survey.response_cap, "min_group_size": survey.min_group_size,
        "min_comment_group_size": survey.min_comment_group_size,
        "retention_months": survey.retention_months, "rate_limit_per_minute": survey.rate_limit_per_minute,
        "taxonomy": "" if taxonomy is None else (INLINE if taxonomy.kind == INLINE_KIND else taxonomy.name),
    }
    for lang in survey.languages:
        for key in TEXT_KEYS:
            data[f"text_{key}_{lang}"] = (survey.texts.get(lang) or {}).get(key, "")
    return data


def _moment_text(moment: datetime | None) -> str:
    """UTC 2025-03-01T08:00, with the seconds when a definition file gave some (saving must not drop them)."""
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def survey_fields_from_form_data(data: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """The survey-level definition fields the form describes, texts for `languages` included.

    The taxonomy is left out when INLINE is chosen: the survey keeps the topics it has.
    """
    fields: dict[str, Any] = {
        "slug": (data.get("slug") or "").strip(), "title": data.get("title"), "audience": data.get("audience"),
        "languages": [x.strip() for x in (data.get("languages") or "").split(",") if x.strip()],
        "default_language": (data.get("default_language") or "").strip(),
        "opens_at": (data.get("opens_at") or "").strip() or None,
        "closes_at": (data.get("closes_at") or "").strip() or None,
        "response_cap": data.get("response_cap"), "min_group_size": data.get("min_group_size"),
        "min_comment_group_size": data.get("min_comment_group_size"),
        "retention_months": data.get("retention_months"),
        "rate_limit_per_minute": data.get("rate_limit_per_minute"),
    }
    if data.get("taxonomy") != INLINE:
        fields["taxonomy"] = data.get("taxonomy") or None
    texts: dict[str, dict[str, str]] = {}
    for lang in languages:
        entry = {key: data.get(f"text_{key}_{lang}") or "" for key in TEXT_KEYS}
        texts[lang] = {key: value for key, value in entry.items() if value.strip()}
    fields["texts"] = texts
    return fields
