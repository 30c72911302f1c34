"""Migrations: upgrade to head and down to base, and no drift between models and migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import models
from migrations.runner import check_schema_current, current_revision, downgrade, upgrade
from models.db import make_engine
from models.settings import ConfigError


def test_upgrade_head_then_downgrade_base(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(models.Base.metadata.tables) <= tables
        check_schema_current(empty_database_url)
        downgrade(empty_database_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(empty_database_url) is None
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, models.Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_newer_schema_stops_with_one_line_and_touches_nothing(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    try:
        with pytest.raises(ConfigError, match="newer version") as info:
            upgrade(empty_database_url)
        assert "\n" not in str(info.value)
        with pytest.raises(ConfigError):
            check_schema_current(empty_database_url)
        assert "surveys" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_worker_thresholds_under_the_floor_are_raised_and_audited(empty_database_url: str) -> None:
    """0004: a worker survey stored with thresholds 1/1 comes out at 3/5, with the change in the audit log;
    a customer survey keeps its own."""
    upgrade(empty_database_url, "0003")
    engine = make_engine(empty_database_url)
    insert = ("INSERT INTO surveys (slug, title, audience, languages, default_language, texts, min_group_size, "
              "min_comment_group_size, archived, revision, created_at) "
              "VALUES (:slug, 'T', :audience, '[\"en\"]', 'en', '{}', :g, :c, :f, 1, CURRENT_TIMESTAMP)")
    try:
        with engine.begin() as conn:
            conn.execute(text(insert), [{"slug": "w", "audience": "worker", "g": 1, "c": 1, "f": False},
                                        {"slug": "w2", "audience": "worker", "g": 4, "c": 2, "f": False},
                                        {"slug": "c", "audience": "customer", "g": 1, "c": 1, "f": False}])
        upgrade(empty_database_url)
        with engine.connect() as conn:
            got = dict((s, (g, c)) for s, g, c in conn.execute(text(
                "SELECT slug, min_group_size, min_comment_group_size FROM surveys")))
            audit = conn.execute(text("SELECT action, actor_name, detail FROM audit_log ORDER BY id")).all()
        assert got == {"w": (3, 5), "w2": (4, 5), "c": (1, 1)}
        assert [(a, n) for a, n, _ in audit] == [("survey.thresholds", "migration 0004")] * 2
        import json

        details = [d if isinstance(d, dict) else json.loads(d) for _, _, d in audit]
        assert details[0]["min_group_size"] == {"old": 1, "new": 3}
        assert details[1] == {"slug": "w2", "min_comment_group_size": {"old": 2, "new": 5}}
    finally:
        engine.dispose()


def test_reviews_of_worker_reports_get_the_day_and_an_anonymous_id(empty_database_url: str) -> None:
    """0010: a stored review of a worker report takes a negative id (its topics follow) and midnight of its
    day; a customer comment's review keeps its id and its time."""
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from tests.analysts.factories import make_comment
    from tests.factories import make_survey

    upgrade(empty_database_url, "0009")
    engine = make_engine(empty_database_url)
    at = datetime(2026, 11, 3, 14, 27, 5, tzinfo=UTC)
    review = ("INSERT INTO analysis_corrections (id, answer_id, sentiment_label, urgent, model_sentiment_label, "
              "model_urgent, model_topics, model_name, model_version, corrected_at) "
              "VALUES (:id, :answer, 'neutral', false, 'negative', true, '[]', 'm', 'v', :at)")
    try:
        with Session(engine) as session:
            worker = make_comment(session, make_survey(session, audience="worker"), "Wire exposed by press 4")
            customer = make_comment(session, make_survey(session), "Late parcel")
            answers = {"worker": worker.answer_id, "customer": customer.answer_id}
            session.commit()
        with engine.begin() as conn:
            conn.execute(text(review), [{"id": 1, "answer": answers["worker"], "at": at},
                                        {"id": 2, "answer": answers["customer"], "at": at}])
            conn.execute(text("INSERT INTO correction_topics (correction_id, topic) VALUES (1, 'electrical')"))
        upgrade(empty_database_url)
        with engine.connect() as conn:
            rows = {a: (i, c) for i, a, c in conn.execute(text(
                "SELECT id, answer_id, corrected_at FROM analysis_corrections"))}
            topics = conn.execute(text("SELECT correction_id, topic FROM correction_topics")).all()
        new_id, day = rows[answers["worker"]]
        assert new_id < 0 and str(day).startswith("2026-11-03 00:00:00")
        assert topics == [(new_id, "electrical")]
        assert rows[answers["customer"]][0] == 2 and str(rows[answers["customer"]][1]).startswith("2026-11-03 14:27:05")
    finally:
        engine.dispose()
