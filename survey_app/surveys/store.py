"""Write a validated definition into the models and read one back. Functions take a session, never commit.

Replacing a survey updates questions in place by key, so answers already stored keep their question.
A replace that would delete a question with answers, or change its type, is refused: nothing stored is
lost by an import.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Answer, AuditEntry, Question, Survey, Taxonomy
from models.audit import record_audit
from survey_app.surveys.errors import DefinitionError, Problem
from survey_app.surveys.schema import validate_definition
from survey_app.surveys.source import Lines, Path, path_text, read_source

INLINE_KIND = "inline"


def load_definition(
    session: Session, text: str, *, fmt: str = "auto", source: str = "<definition>", replace: bool = False,
    actor_id: int | None = None,
) -> Survey:
    """Parse, validate (file and database) and import `text`; raise DefinitionError before writing anything."""
    raw, lines, problems = read_source(text, fmt, source)
    definition = validate_definition(raw, lines, source, problems)
    return import_definition(session, definition, replace=replace, lines=lines, source=source, actor_id=actor_id)


def check_against_database(
    session: Session, definition: dict[str, Any], *, replace: bool, lines: Lines | None = None,
    survey: Survey | None = None,
) -> list[Problem]:
    """Problems that only the database can reveal: slug taken, unknown taxonomy, answered questions lost."""
    lines = lines or {}
    problems: list[Problem] = []

    def err(path: Path, message: str) -> None:
        line = next((lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in lines), None)
        problems.append(Problem(line, path_text(path), message))

    existing = survey or session.scalar(select(Survey).where(Survey.slug == definition["slug"]))
    if survey is not None and survey.slug != definition["slug"]:
        clash = session.scalar(select(Survey.id).where(Survey.slug == definition["slug"]))
        if clash is not None:
            err(("slug",), f"another survey already uses the slug {definition['slug']!r}")
    if existing is not None and not replace:
        err(("slug",), f"a survey with slug {definition['slug']!r} already exists: use --replace to update it")
    tax = definition["taxonomy"]
    if isinstance(tax, str):
        if session.scalar(select(Taxonomy.id).where(Taxonomy.name == tax)) is None:
            err(("taxonomy",), f"no taxonomy named {tax!r}: create it first or give the topics inline")
    elif isinstance(tax, dict):
        name = _inline_name(definition)
        row = session.scalar(select(Taxonomy).where(Taxonomy.name == name))
        if row is not None and row.kind != INLINE_KIND:
            err(("taxonomy", "name"), f"the name {name!r} belongs to a shared taxonomy: choose another name")
        elif row is not None and existing is not None and _used_by_other(session, row, existing.id):
            err(("taxonomy", "name"), f"the inline taxonomy {name!r} belongs to another survey")
        elif row is not None and existing is None and _used_by_other(session, row, None):
            err(("taxonomy", "name"), f"the inline taxonomy {name!r} belongs to another survey")
    if existing is not None and replace:
        wanted = {q["key"]: (i, q) for i, q in enumerate(definition["questions"])}
        counts: dict[int, int] = dict(session.execute(
            select(Answer.question_id, func.count()).join(Question).where(Question.survey_id == existing.id)
            .group_by(Answer.question_id)).all())
        for q in existing.questions:
            n = counts.get(q.id, 0)
            if not n:
                continue
            if q.key not in wanted:
                err(("questions",), f"question {q.key!r} has {n} answer(s) and cannot be removed")
            elif wanted[q.key][1]["type"] != q.type:
                err(("questions", wanted[q.key][0], "type"),
                    f"question {q.key!r} has {n} answer(s): its type cannot change from {q.type!r}")
    return problems


# Anonymity thresholds: every change is audited with its old and new value.
THRESHOLDS = ("min_group_size", "min_comment_group_size")


def import_definition(
    session: Session, definition: dict[str, Any], *, replace: bool = False, lines: Lines | None = None,
    source: str = "<definition>", actor_id: int | None = None, survey: Survey | None = None,
) -> Survey:
    """Create or (with replace) update the survey from a canonical definition, in the caller's transaction.

    `survey` names the row to update when the slug itself may change (the admin editor).
    """
    problems = check_against_database(session, definition, replace=replace, lines=lines, survey=survey)
    if problems:
        raise DefinitionError(problems, source)
    d = copy.deepcopy(definition)
    survey = survey or session.scalar(select(Survey).where(Survey.slug == d["slug"]))
    created = survey is None
    if survey is None:
        survey = Survey(slug=d["slug"])
        session.add(survey)
    old_taxonomy = survey.taxonomy
    before = {name: None if created else getattr(survey, name) for name in THRESHOLDS}
    for field in ("slug", "title", "audience", "languages", "default_language", "texts", "opens_at", "closes_at",
                  "response_cap", "min_group_size", "min_comment_group_size", "retention_months",
                  "rate_limit_per_minute"):
        setattr(survey, field, d[field])
    survey.taxonomy = _taxonomy(session, d)
    if old_taxonomy is not None and old_taxonomy is not survey.taxonomy and old_taxonomy.kind == INLINE_KIND:
        session.delete(old_taxonomy)

    by_key = {q.key: q for q in survey.questions}
    wanted = {q["key"] for q in d["questions"]}
    for key, q in list(by_key.items()):
        if key not in wanted:
            survey.questions.remove(q)
    session.flush()
    ordered: list[Question] = []
    for pos, spec in enumerate(d["questions"]):
        q = by_key.get(spec["key"]) or Question(key=spec["key"])
        q.type = spec["type"]
        q.position = pos
        q.page = spec["page"]
        q.required = spec["required"]
        q.options = spec["options"]
        q.settings = spec["settings"]
        q.condition = spec["condition"]
        q.texts = spec["texts"]
        ordered.append(q)
    survey.questions = ordered
    session.flush()
    session.add(AuditEntry(actor_id=actor_id, action="survey.import" if created else "survey.replace",
                           target_type="survey", target_id=str(survey.id), detail={"slug": survey.slug}))
    changed = {name: {"old": before[name], "new": getattr(survey, name)} for name in THRESHOLDS
               if before[name] != getattr(survey, name)}
    if changed:
        record_audit(session, "survey.thresholds", actor_id=actor_id, target_type="survey", target_id=survey.id,
                     slug=survey.slug, **changed)
    return survey


def export_definition(survey: Survey) -> dict[str, Any]:
    """The canonical definition of a stored survey (equal to the one it was imported from)."""
    d: dict[str, Any] = {
        "slug": survey.slug,
        "title": survey.title,
        "audience": survey.audience,
        "languages": list(survey.languages),
        "default_language": survey.default_language,
        "texts": copy.deepcopy(survey.texts),
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "response_cap": survey.response_cap,
        "rate_limit_per_minute": survey.rate_limit_per_minute,
        "min_group_size": survey.min_group_size,
        "min_comment_group_size": survey.min_comment_group_size,
        "retention_months": survey.retention_months,
        "taxonomy": _export_taxonomy(survey.taxonomy),
        "questions": [
            {
                "key": q.key,
                "type": q.type,
                "required": q.required,
                "page": q.page,
                "options": list(q.options or []),
                "settings": copy.deepcopy(q.settings or {}),
                "condition": copy.deepcopy(q.condition) if q.condition else None,
                "texts": copy.deepcopy(q.texts or {}),
            }
            for q in sorted(survey.questions, key=lambda q: q.position)
        ],
    }
    return d


def get_survey_by_slug(session: Session, slug: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.slug == slug))


def _inline_name(d: dict[str, Any]) -> str:
    tax = d["taxonomy"]
    return str(tax.get("name") or f"{d['slug']} (inline)")


def _taxonomy(session: Session, d: dict[str, Any]) -> Taxonomy | None:
    tax = d["taxonomy"]
    if tax is None:
        return None
    if isinstance(tax, str):
        return session.scalar(select(Taxonomy).where(Taxonomy.name == tax))
    name = _inline_name(d)
    row = session.scalar(select(Taxonomy).where(Taxonomy.name == name))
    if row is None:
        row = Taxonomy(name=name, kind=INLINE_KIND, source_yaml="")
        session.add(row)
    # Stored in the taxonomy YAML format that nlp.taxonomy.parse_taxonomy reads.
    row.source_yaml = yaml.safe_dump(tax, sort_keys=False, allow_unicode=True)
    return row


def _export_taxonomy(tax: Taxonomy | None) -> str | dict[str, Any] | None:
    if tax is None:
        return None
    if tax.kind == INLINE_KIND:
        loaded: dict[str, Any] = yaml.safe_load(tax.source_yaml)
        return loaded
    return tax.name


def _used_by_other(session: Session, tax: Taxonomy, survey_id: int | None) -> bool:
    stmt = select(Survey.id).where(Survey.taxonomy_id == tax.id)
    if survey_id is not None:
        stmt = stmt.where(Survey.id != survey_id)
    return session.scalar(stmt.limit(1)) is not None
