"""Export → import gives an equal definition; random edits of a valid file never crash the importer."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Question, Survey, Taxonomy
from survey_app.surveys import (
    DefinitionError,
    dump_definition,
    export_definition,
    import_definition,
    parse_definition,
)
from survey_app.surveys.store import load_definition
from tests.admin.strategies import definitions

DATA = Path(__file__).parent / "data"
DB_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(definitions(), st.sampled_from(["yaml", "json"]))
@settings(max_examples=150, deadline=None)
def test_dump_then_parse_is_identity(definition: dict[str, Any], fmt: str) -> None:
    assert parse_definition(dump_definition(definition, fmt), fmt) == definition


@given(definitions(), st.sampled_from(["yaml", "json"]))
@DB_SETTINGS
def test_import_then_export_is_identity(db_session: Session, definition: dict[str, Any], fmt: str) -> None:
    nested = db_session.begin_nested()
    try:
        survey = load_definition(db_session, dump_definition(definition, fmt), fmt=fmt)
        exported = export_definition(survey)
        assert exported == definition
        # ... and the exported file imports again (replace) to the same rows.
        again = load_definition(db_session, dump_definition(exported, fmt), fmt=fmt, replace=True)
        assert again.id == survey.id and export_definition(again) == definition
    finally:
        nested.rollback()


def _counts(session: Session) -> tuple[int, int, int]:
    return (session.scalar(select(func.count()).select_from(Survey)) or 0,
            session.scalar(select(func.count()).select_from(Question)) or 0,
            session.scalar(select(func.count()).select_from(Taxonomy)) or 0)


_FRAGMENTS = ["", " ", "-", ":", "[", "]", "{", "}", "&a", "*a", "!!python/object:os.system", "'", '"', "\t",
              "null", "true", "9999999999999999999999", "2025-02-30", "1e400", "- key: x", "<<: *a", "\\u0000"]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.randrange(5)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            col = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:col] + rng.choice(_FRAGMENTS) + lines[i][col:]
        elif op == 3:
            col = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:col] + lines[i][col + rng.randint(1, 5):]
        else:
            lines[i] = " " * rng.randint(0, 6) + lines[i].lstrip()
    return "\n".join(lines) + "\n"


@given(st.randoms(use_true_random=False), st.sampled_from(["yaml", "json"]))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mutated_files_import_or_fail_with_lines_and_change_nothing(
    db_session: Session, rng: random.Random, fmt: str
) -> None:
    base = parse_definition((DATA / "safety.yaml").read_text())
    text = _mutate(dump_definition(base, fmt), rng)
    nested = db_session.begin_nested()
    try:
        before = _counts(db_session)
        try:
            inner = db_session.begin_nested()
            load_definition(db_session, text, fmt=fmt)
            inner.commit()
        except DefinitionError as exc:
            inner.rollback()
            assert exc.problems
            # Syntax errors and field errors alike carry a line (only a wholly empty file might not).
            assert all(p.line is not None for p in exc.problems), exc.report()
            assert _counts(db_session) == before
    finally:
        nested.rollback()


def test_replace_keeps_answers_and_refuses_to_drop_answered_questions(db_session: Session) -> None:
    from tests.factories import make_response

    text = (DATA / "safety.yaml").read_text()
    survey = load_definition(db_session, text)
    make_response(db_session, survey, {"hazard": "wet floor by the loading bay"})
    hazard_id = next(q.id for q in survey.questions if q.key == "hazard")

    definition = parse_definition(text)
    definition["questions"] = [q for q in definition["questions"] if q["key"] != "hazard"]
    try:
        import_definition(db_session, definition, replace=True)
        raise AssertionError("removing an answered question must be refused")
    except DefinitionError as exc:
        assert "question 'hazard' has 1 answer(s) and cannot be removed" in exc.report()
    assert db_session.get(Question, hazard_id) is not None

    # Reordering and relabelling keeps the same question row (and so its answers).
    definition = parse_definition(text)
    definition["questions"].reverse()
    for q in definition["questions"]:
        q["condition"] = None
    definition["questions"][0]["texts"]["en"]["label"] = "What should we fix first?"
    updated = import_definition(db_session, definition, replace=True)
    first = updated.questions[0]
    assert (first.key, first.id, first.texts["en"]["label"]) == ("hazard", hazard_id, "What should we fix first?")


def test_slug_taken_and_unknown_taxonomy_are_reported_with_lines(db_session: Session) -> None:
    text = (DATA / "safety.yaml").read_text()
    load_definition(db_session, text)
    try:
        load_definition(db_session, text.replace("taxonomy:\n", "taxonomy: nowhere\nx_taxonomy:\n"))
    except DefinitionError as exc:
        fields = {p.field for p in exc.problems}
        assert "x_taxonomy" in fields  # the file problem stops the import before the database is asked
    bad_tax = "\n".join(ln for ln in text.splitlines()
                        if not ln.startswith(("    - name", "      description", "      keywords", "  topics")))
    bad_tax = bad_tax.replace("taxonomy:", "taxonomy: nowhere")
    try:
        load_definition(db_session, bad_tax)
        raise AssertionError("must fail")
    except DefinitionError as exc:
        by_field = {p.field: (p.line, p.message) for p in exc.problems}
        assert by_field["slug"][0] == 2 and "already exists" in by_field["slug"][1]
        assert "no taxonomy named 'nowhere'" in by_field["taxonomy"][1]
