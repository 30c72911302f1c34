"""Admin edits go through the definition: export, change, validate with the file validator, import.

So the editor and definition files obey exactly the same rules, and an edit that would lose answers is
refused the same way a file would be. Functions take a session and never commit.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry, Department, Question, Response, Site, Survey
from survey_app.admin.survey_forms import SURVEY_FIELDS
from survey_app.surveys import export_definition, import_definition, validate_definition
from survey_app.surveys.errors import DefinitionError


class OrgError(ValueError):
    """A site or department change that cannot be made (the message is safe to show)."""


def create_survey(session: Session, fields: dict[str, Any], actor_id: int | None) -> Survey:
    """Create an empty survey (no questions yet) from the settings form."""
    languages = fields.get("languages") or ["en"]
    raw = {**{k: v for k, v in fields.items() if k in SURVEY_FIELDS},
           "texts": fields.get("texts") or {lang: {} for lang in languages if isinstance(lang, str)},
           "questions": []}
    definition = validate_definition(raw)
    return import_definition(session, definition, actor_id=actor_id)


def update_survey(session: Session, survey: Survey, fields: dict[str, Any], actor_id: int | None) -> Survey:
    """Change survey settings and texts. A language added here starts as a copy of the default language."""
    d = _plain(export_definition(survey))
    for key in SURVEY_FIELDS:
        if key in fields:
            d[key] = fields[key]
    if "texts" in fields:
        d["texts"] = {**d["texts"], **fields["texts"]}
    langs = d["languages"] if isinstance(d["languages"], list) else []
    source = survey.default_language
    d["texts"] = {lang: d["texts"].get(lang, copy.deepcopy(d["texts"].get(source, {}))) for lang in langs
                  if isinstance(lang, str)}
    for q in d["questions"]:
        q["texts"] = {lang: q["texts"].get(lang, copy.deepcopy(q["texts"].get(source, {}))) for lang in langs
                      if isinstance(lang, str)}
    return _apply(session, survey, d, actor_id)


def save_question(
    session: Session, survey: Survey, question: dict[str, Any], original_key: str | None, actor_id: int | None
) -> Survey:
    """Add a question at the end, or replace the one with `original_key` in place."""
    d = _plain(export_definition(survey))
    if original_key is None:
        d["questions"].append(question)
    else:
        d["questions"] = [question if q["key"] == original_key else q for q in d["questions"]]
    return _apply(session, survey, d, actor_id)


def move_question(session: Session, survey: Survey, key: str, step: int, actor_id: int | None) -> Survey:
    d = _plain(export_definition(survey))
    keys = [q["key"] for q in d["questions"]]
    i = keys.index(key)
    j = i + step
    if 0 <= j < len(keys):
        d["questions"][i], d["questions"][j] = d["questions"][j], d["questions"][i]
    return _apply(session, survey, d, actor_id)


def delete_question(session: Session, survey: Survey, key: str, actor_id: int | None) -> Survey:
    d = _plain(export_definition(survey))
    d["questions"] = [q for q in d["questions"] if q["key"] != key]
    return _apply(session, survey, d, actor_id)


def _apply(session: Session, survey: Survey, raw: dict[str, Any], actor_id: int | None) -> Survey:
    definition = validate_definition(raw)
    return import_definition(session, definition, replace=True, survey=survey, actor_id=actor_id)


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(d)


# --- sites and departments ---------------------------------------------------------------------

ORG_MODELS: dict[str, type[Site] | type[Department]] = {"sites": Site, "departments": Department}


def add_org_unit(session: Session, kind: str, code: str, name: str, actor_id: int | None) -> Site | Department:
    model = ORG_MODELS[kind]
    if session.scalar(select(model.id).where(model.code == code)) is not None:
        raise OrgError(f"the code {code!r} is already used")
    unit = model(code=code, name=name)
    session.add(unit)
    session.flush()
    session.add(AuditEntry(actor_id=actor_id, action=f"{kind}.add", target_type=kind, target_id=str(unit.id),
                           detail={"code": code}))
    return unit


def rename_org_unit(session: Session, unit: Site | Department, name: str, actor_id: int | None) -> None:
    unit.name = name
    session.add(AuditEntry(actor_id=actor_id, action="org.rename", target_type=type(unit).__tablename__,
                           target_id=str(unit.id), detail={"name": name}))


def delete_org_unit(session: Session, unit: Site | Department, actor_id: int | None) -> None:
    """Delete a site or department no response refers to (deleting would blank their segment)."""
    column = Response.site_id if isinstance(unit, Site) else Response.department_id
    used = session.scalar(select(func.count()).select_from(Response).where(column == unit.id)) or 0
    if used:
        raise OrgError(f"{unit.name} is named by {used} response(s) and cannot be deleted; rename it instead")
    session.delete(unit)
    session.add(AuditEntry(actor_id=actor_id, action="org.delete", target_type=type(unit).__tablename__,
                           target_id=str(unit.id), detail={"code": unit.code}))


def survey_counts(session: Session) -> dict[int, dict[str, int]]:
    """Questions and responses per survey id for the survey list: two grouped queries, not one per survey."""
    counts: dict[int, dict[str, int]] = {}
    for survey_id, n in session.execute(select(Question.survey_id, func.count()).group_by(Question.survey_id)):
        counts.setdefault(survey_id, {"questions": 0, "responses": 0})["questions"] = n
    for survey_id, n in session.execute(select(Response.survey_id, func.count()).group_by(Response.survey_id)):
        counts.setdefault(survey_id, {"questions": 0, "responses": 0})["responses"] = n
    return counts


__all__ = ["DefinitionError", "OrgError"]

