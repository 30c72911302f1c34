"""Upgrading a database built at 0001 (the release before anonymity by construction) with worker reports in it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from migrations.runner import check_schema_current, upgrade
from models.db import make_engine

AT = datetime(2026, 11, 20, 5, 28, 9, 420000, tzinfo=UTC)
DAY = datetime(2026, 11, 20, tzinfo=UTC)


def _filler(column: sa.Column[Any]) -> Any:
    """A value for a NOT NULL column the test does not care about (so later revisions' columns need no edit)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.Float | sa.Numeric):
        return 0.0
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.DateTime):
        return AT
    if isinstance(kind, sa.Date):
        return AT.date()
    return "x"


class Old:
    """Inserts into the tables as they are in the database (reflected), filling what a row needs."""

    def __init__(self, engine: Engine) -> None:
        self.meta = sa.MetaData()
        self.meta.reflect(engine)
        self.conn = engine.connect()
        self.conn.begin()

    def add(self, table: str, **values: Any) -> int:
        t = self.meta.tables[table]
        row = {c.name: _filler(c) for c in t.columns
               if not c.nullable and c.server_default is None and c.name not in values and not c.primary_key}
        row |= values
        result = self.conn.execute(t.insert().values(row))
        return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0


def _build_at_0001(url: str) -> dict[str, Any]:
    upgrade(url, "0001")
    engine = make_engine(url)
    old = Old(engine)
    ids: dict[str, Any] = {}
    customer = old.add("surveys", slug="c", title="Customer", audience="customer")
    worker = old.add("surveys", slug="w", title="Safety", audience="worker")
    cq = old.add("questions", survey_id=customer, key="why", type="text", position=0)
    wq = old.add("questions", survey_id=worker, key="what", type="text", position=0)
    # The leak in the issue: worker response 3004 between customer responses 3003 and 3005.
    ids["c1"] = old.add("responses", survey_id=customer, submitted_on=AT.date(), submitted_at=AT, segment={})
    ids["w"] = old.add("responses", survey_id=worker, submitted_on=AT.date(), segment={}, receipt_code="R-1")
    ids["c2"] = old.add("responses", survey_id=customer, submitted_on=AT.date(), submitted_at=AT, segment={})
    ids["c1_answer"] = old.add("answers", response_id=ids["c1"], question_id=cq, text="late", text_state="scored")
    ids["w_answer"] = old.add("answers", response_id=ids["w"], question_id=wq, text="exposed wire",
                              text_state="scored")
    ids["c1_analysis"] = old.add("text_analyses", answer_id=ids["c1_answer"], redacted_text="late",
                                 sentiment_label="negative", model_name="m", model_version="1", analyzed_at=AT)
    ids["w_analysis"] = old.add("text_analyses", answer_id=ids["w_answer"], redacted_text="exposed wire",
                                sentiment_label="negative", urgent=True, model_name="m", model_version="1",
                                analyzed_at=AT)
    old.add("topic_tags", analysis_id=ids["c1_analysis"], topic="delivery", score=0.9, source="taxonomy")
    old.add("topic_tags", analysis_id=ids["w_analysis"], topic="electrical", score=0.9, source="taxonomy")
    old.add("alerts", kind="urgent_report", dedup_key=f"urgent:{ids['w_answer']}", survey_id=worker,
            response_id=ids["w"], message="Urgent", created_at=AT, acknowledged_at=AT,
            detail={"audience": "worker", "answer_id": ids["w_answer"], "day": AT.date().isoformat()})
    old.add("trend_rows", period_type="day", period_start=AT.date(), survey_id=customer, segment_type="*",
            segment_value="*", topic="*", computed_at=AT)
    old.add("trend_rows", period_type="day", period_start=AT.date(), survey_id=worker, segment_type="*",
            segment_value="*", topic="*", computed_at=AT)
    old.add("trend_dirty", survey_id=worker, day=AT.date(), marked_at=AT)
    old.add("themes", survey_id=worker, label="wires", answer_ids=[ids["w_answer"]], discovered_at=AT)
    old.add("audit_log", action="urgent.acknowledge", target_type="response", target_id=str(ids["w"]), at=AT)
    old.add("invitations", survey_id=worker, token_hash="a" * 64, email="jo@example.org",
            attributes={"name": "Jo"}, draft={"page": 1, "raw": {"q-what": "half-typed report"}})
    old.add("invitations", survey_id=customer, token_hash="b" * 64, email="cu@example.org",
            draft={"page": 1, "raw": {"q-why": "kept"}})
    old.add("pipeline_runs", job="score", status="ok", started_at=AT, claimed=1, processed=1)
    old.add("pipeline_runs", job="trends", status="ok", started_at=AT, detail={"response_watermark": ids["c2"]})
    old.conn.commit()
    old.conn.close()
    engine.dispose()
    ids["customer"], ids["worker"] = customer, worker
    return ids


def test_upgrade_gives_worker_rows_anonymous_ids_and_the_day_only(empty_database_url: str) -> None:
    before = _build_at_0001(empty_database_url)
    upgrade(empty_database_url)
    check_schema_current(empty_database_url)
    engine = make_engine(empty_database_url)
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    try:
        with engine.connect() as conn:
            def rows(table: str, *where: Any) -> list[Any]:
                return list(conn.execute(sa.select(t[table]).where(*where)).mappings())

            (w,) = rows("responses", t["responses"].c.survey_id == before["worker"])
            assert w["id"] < 0 and w["receipt_code"] == "R-1"
            assert sorted(r["id"] for r in rows("responses", t["responses"].c.survey_id == before["customer"])) \
                == [before["c1"], before["c2"]]  # customer rows keep their ids
            (wa,) = rows("answers", t["answers"].c.response_id == w["id"])
            assert wa["id"] < 0 and wa["text"] == "exposed wire"
            (wt,) = rows("text_analyses", t["text_analyses"].c.answer_id == wa["id"])
            assert wt["id"] < 0 and _aware(wt["analyzed_at"]) == DAY
            (ct,) = rows("text_analyses", t["text_analyses"].c.answer_id == before["c1_answer"])
            assert ct["id"] == before["c1_analysis"] and _aware(ct["analyzed_at"]) == AT  # customer keeps its time
            (tag,) = rows("topic_tags", t["topic_tags"].c.analysis_id == wt["id"])
            assert tag["id"] < 0
            (alert,) = rows("alerts")
            assert alert["id"] < 0 and alert["response_id"] == w["id"]
            assert alert["dedup_key"] == f"urgent:{wa['id']}" and alert["detail"]["answer_id"] == wa["id"]
            assert _aware(alert["created_at"]) == DAY and _aware(alert["acknowledged_at"]) == DAY
            trend = {r["survey_id"]: r for r in rows("trend_rows")}
            assert trend[before["worker"]]["id"] < 0 and _aware(trend[before["worker"]]["computed_at"]) == DAY
            assert trend[before["customer"]]["id"] > 0 and _aware(trend[before["customer"]]["computed_at"]) == AT
            assert "marked_at" not in t["trend_dirty"].c
            (theme,) = rows("themes")
            assert theme["answer_ids"] == [wa["id"]] and _aware(theme["discovered_at"]) == DAY
            (entry,) = rows("audit_log", t["audit_log"].c.action == "urgent.acknowledge")
            assert entry["id"] < 0 and entry["target_id"] == str(w["id"]) and _aware(entry["at"]) == DAY
            drafts = {r["survey_id"]: r["draft"] for r in rows("invitations")}
            assert drafts == {before["worker"]: None, before["customer"]: {"page": 1, "raw": {"q-why": "kept"}}}
            (run,) = rows("pipeline_runs")  # history that counted worker work per run is gone, the watermark kept
            assert run["job"] == "trends" and run["detail"]["response_watermark"] == before["c2"]

        # New customer rows continue the sequence; they neither follow nor sit among the worker ids.
        with engine.begin() as conn:
            new = conn.execute(t["responses"].insert().values(
                survey_id=before["customer"], language="en", submitted_on=date.today(), segment={},
                contact_consent=False)).inserted_primary_key[0]
        assert new == before["c2"] + 1
    finally:
        engine.dispose()


def test_sequence_ignores_anonymous_ids_even_in_a_table_of_worker_rows_only(empty_database_url: str) -> None:
    """A plain SQLite rowid table would number the first customer row after the largest id, a worker id."""
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    meta = sa.MetaData()
    meta.reflect(engine)
    responses = meta.tables["responses"]
    try:
        with engine.begin() as conn:
            survey = conn.execute(meta.tables["surveys"].insert().values(
                {c.name: _filler(c) for c in meta.tables["surveys"].columns if not c.nullable and not c.primary_key}
                | {"slug": "w", "audience": "worker"})).inserted_primary_key[0]
            row = {"survey_id": survey, "language": "en", "submitted_on": date.today(), "segment": {},
                   "contact_consent": False}
            conn.execute(responses.insert().values(row | {"id": -5}))
            first = conn.execute(responses.insert().values(row)).inserted_primary_key[0]
        assert first == 1
    finally:
        engine.dispose()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
