"""worker reports anonymous by construction: no time of day, no ids ordered among customer rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:50:00

What existing installations hold is brought to the rules of models.anonymity:

- Rows of worker reports (responses, answers, analyses, topic tags, alerts of worker surveys, the trend
  rows of worker surveys, audit entries of acknowledging an urgent report) get random negative ids instead of their sequence ids, and every column that
  points at them follows: foreign keys (found in the database, so tables added by other revisions are
  covered), urgent alerts' dedup keys and details, themes' answer lists, audit entries about responses.
- Their times become the day: analyses' analyzed_at, alerts' created_at and acknowledged_at, trend
  rows' computed_at, themes' discovered_at, worker invitations' used_at, the audit time of
  acknowledging an urgent report.
- trend_dirty loses marked_at; worker invitations lose their saved drafts (they sat beside the address).
- Run history counted worker work run by run and cannot be split after the fact: it is deleted (the
  cleanup job deletes runs after 90 days anyway), keeping the trend refresh's response watermark.
- On SQLite those tables are rebuilt AUTOINCREMENT, so negative ids never move the customer sequence.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.base
from models.anonymity import anonymous_ids

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Parents first: a child's map is read from its (already remapped) parent's rows.
ANONYMOUS_TABLES = ("responses", "answers", "text_analyses", "topic_tags", "alerts", "trend_rows", "audit_log")
CHUNK = 500

UTC_DT = models.base.UTCDateTime(timezone=True)
id_map = sa.table("_anonymous_id_map", sa.column("tbl", sa.String), sa.column("old_id", sa.Integer),
                  sa.column("new_id", sa.Integer))
surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("audience", sa.String))
responses = sa.table("responses", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer))
answers = sa.table("answers", sa.column("id", sa.Integer), sa.column("response_id", sa.Integer))
analyses = sa.table("text_analyses", sa.column("id", sa.Integer), sa.column("answer_id", sa.Integer),
                    sa.column("analyzed_at", UTC_DT))
tags = sa.table("topic_tags", sa.column("id", sa.Integer), sa.column("analysis_id", sa.Integer))
alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer),
                  sa.column("response_id", sa.Integer), sa.column("dedup_key", sa.String),
                  sa.column("detail", sa.JSON), sa.column("created_at", UTC_DT),
                  sa.column("acknowledged_at", UTC_DT))
trend_rows = sa.table("trend_rows", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer),
                      sa.column("computed_at", UTC_DT))
themes = sa.table("themes", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer),
                  sa.column("answer_ids", sa.JSON), sa.column("discovered_at", UTC_DT))
audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", UTC_DT), sa.column("action", sa.String),
                 sa.column("target_type", sa.String), sa.column("target_id", sa.String))
invitations = sa.table("invitations", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer),
                       sa.column("used_at", UTC_DT), sa.column("draft", sa.JSON))
runs = sa.table("pipeline_runs", sa.column("id", sa.Integer), sa.column("job", sa.String),
                sa.column("status", sa.String), sa.column("started_at", UTC_DT), sa.column("finished_at", UTC_DT),
                sa.column("claimed", sa.Integer), sa.column("processed", sa.Integer), sa.column("failed", sa.Integer),
                sa.column("worker", sa.String), sa.column("detail", sa.JSON))


def _day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _ids(bind: sa.Connection, stmt: sa.Select[Any]) -> list[int]:
    return [int(i) for i in bind.scalars(stmt)]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    with op.batch_alter_table("trend_dirty") as batch_op:
        batch_op.drop_column("marked_at")

    worker_surveys = _ids(bind, sa.select(surveys.c.id).where(surveys.c.audience == "worker"))
    maps = _remap_ids(bind, sqlite, worker_surveys) if worker_surveys else {}
    if worker_surveys:
        _rewrite_references(bind, maps, worker_surveys)
        _keep_the_day(bind, worker_surveys)
        # Drafts are no longer kept for worker invitations: they sat beside the address.
        bind.execute(invitations.update().where(invitations.c.survey_id.in_(worker_surveys)).values(draft=None))
    _forget_run_history(bind)

    if sqlite:
        for table in ANONYMOUS_TABLES:
            with op.batch_alter_table(table, recreate="always",
                                      table_kwargs={"sqlite_autoincrement": True}) as batch_op:
                batch_op.alter_column("id", existing_type=sa.Integer(), autoincrement=True)
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild, nothing changed: {broken[:5]}")


def _remap_ids(bind: sa.Connection, sqlite: bool, worker_surveys: list[int]) -> dict[str, dict[int, int]]:
    """Give worker rows random negative ids; rewrite every foreign key that points at them."""
    old: dict[str, list[int]] = {}
    old["responses"] = _ids(bind, sa.select(responses.c.id).where(responses.c.survey_id.in_(worker_surveys),
                                                                    responses.c.id > 0))
    worker_responses = sa.select(responses.c.id).where(responses.c.survey_id.in_(worker_surveys))
    old["answers"] = _ids(bind, sa.select(answers.c.id).where(answers.c.response_id.in_(worker_responses),
                                                                answers.c.id > 0))
    worker_answers = sa.select(answers.c.id).where(answers.c.response_id.in_(worker_responses))
    old["text_analyses"] = _ids(bind, sa.select(analyses.c.id).where(analyses.c.answer_id.in_(worker_answers),
                                                                       analyses.c.id > 0))
    worker_analyses = sa.select(analyses.c.id).where(analyses.c.answer_id.in_(worker_answers))
    old["topic_tags"] = _ids(bind, sa.select(tags.c.id).where(tags.c.analysis_id.in_(worker_analyses), tags.c.id > 0))
    old["alerts"] = _ids(bind, sa.select(alerts.c.id).where(
        sa.or_(alerts.c.survey_id.in_(worker_surveys), alerts.c.response_id.in_(worker_responses)), alerts.c.id > 0))
    old["trend_rows"] = _ids(bind, sa.select(trend_rows.c.id).where(trend_rows.c.survey_id.in_(worker_surveys),
                                                                      trend_rows.c.id > 0))
    old["audit_log"] = _ids(bind, sa.select(audit.c.id).where(audit.c.action == "urgent.acknowledge", audit.c.id > 0))
    maps = {table: dict(zip(ids, anonymous_ids(len(ids)), strict=True)) for table, ids in old.items()}

    op.create_table("_anonymous_id_map", sa.Column("tbl", sa.String(40), primary_key=True),
                    sa.Column("old_id", sa.Integer, primary_key=True), sa.Column("new_id", sa.Integer, nullable=False))
    for table, mapping in maps.items():
        rows = [{"tbl": table, "old_id": o, "new_id": n} for o, n in mapping.items()]
        for chunk in _chunks(rows):
            bind.execute(id_map.insert(), list(chunk))

    inspector = sa.inspect(bind)
    pointing = [(t, fk) for t in inspector.get_table_names() for fk in inspector.get_foreign_keys(t)
                if fk["referred_table"] in maps and fk["referred_columns"] == ["id"]]
    if not sqlite:
        # PostgreSQL checks foreign keys row by row: drop those pointing at remapped ids, put them back after.
        for table, fk in pointing:
            op.drop_constraint(fk["name"], table, type_="foreignkey")
    for table in maps:
        _apply_map(bind, table, "id", table)
    for table, fk in pointing:
        (column,) = fk["constrained_columns"]
        _apply_map(bind, table, column, fk["referred_table"])
    if not sqlite:
        for table, fk in pointing:
            op.create_foreign_key(fk["name"], table, fk["referred_table"], fk["constrained_columns"], ["id"],
                                  ondelete=fk.get("options", {}).get("ondelete"))
    op.drop_table("_anonymous_id_map")
    return maps


def _apply_map(bind: sa.Connection, table: str, column: str, mapped: str) -> None:
    t = sa.table(table, sa.column(column, sa.Integer))
    col = t.c[column]
    new = sa.select(id_map.c.new_id).where(id_map.c.tbl == mapped, id_map.c.old_id == col).scalar_subquery()
    olds = sa.select(id_map.c.old_id).where(id_map.c.tbl == mapped)
    bind.execute(t.update().where(col.in_(olds)).values({column: new}))


def _rewrite_references(bind: sa.Connection, maps: dict[str, dict[int, int]], worker_surveys: list[int]) -> None:
    """Ids kept in text and JSON rather than in foreign keys."""
    answer_map = maps.get("answers", {})
    response_map = maps.get("responses", {})
    for alert_id, key, detail in bind.execute(sa.select(alerts.c.id, alerts.c.dedup_key, alerts.c.detail)
                                              .where(alerts.c.dedup_key.like("urgent:%"))).all():
        old_answer = int(key.removeprefix("urgent:"))
        if old_answer in answer_map:
            new_answer = answer_map[old_answer]
            bind.execute(alerts.update().where(alerts.c.id == alert_id).values(
                dedup_key=f"urgent:{new_answer}", detail={**(detail or {}), "answer_id": new_answer}))
    for theme_id, answer_ids in bind.execute(sa.select(themes.c.id, themes.c.answer_ids)
                                             .where(themes.c.survey_id.in_(worker_surveys))).all():
        bind.execute(themes.update().where(themes.c.id == theme_id).values(
            answer_ids=[answer_map.get(int(a), int(a)) for a in (answer_ids or [])]))
    for entry_id, target in bind.execute(sa.select(audit.c.id, audit.c.target_id)
                                         .where(audit.c.target_type == "response")).all():
        if target is not None and target.lstrip("-").isdigit() and int(target) in response_map:
            bind.execute(audit.update().where(audit.c.id == entry_id).values(
                target_id=str(response_map[int(target)])))


def _keep_the_day(bind: sa.Connection, worker_surveys: list[int]) -> None:
    """Every time a worker report's rows hold becomes midnight UTC of its day."""
    worker_responses = sa.select(responses.c.id).where(responses.c.survey_id.in_(worker_surveys))
    worker_answers = sa.select(answers.c.id).where(answers.c.response_id.in_(worker_responses))
    targets = [
        (analyses, analyses.c.analyzed_at, analyses.c.answer_id.in_(worker_answers)),
        (alerts, alerts.c.created_at, alerts.c.survey_id.in_(worker_surveys)),
        (alerts, alerts.c.acknowledged_at, alerts.c.survey_id.in_(worker_surveys)),
        (trend_rows, trend_rows.c.computed_at, trend_rows.c.survey_id.in_(worker_surveys)),
        (themes, themes.c.discovered_at, themes.c.survey_id.in_(worker_surveys)),
        (invitations, invitations.c.used_at, invitations.c.survey_id.in_(worker_surveys)),
        (audit, audit.c.at, audit.c.action == "urgent.acknowledge"),
    ]
    for table, column, where in targets:
        rows = bind.execute(sa.select(table.c.id, column).where(where, column.is_not(None))).all()
        changed = [{"row_id": i, "day": _day(at)} for i, at in rows if _day(at) != at]
        stmt = table.update().where(table.c.id == sa.bindparam("row_id")).values({column.name: sa.bindparam("day")})
        for chunk in _chunks(changed):
            bind.execute(stmt, list(chunk))


def _forget_run_history(bind: sa.Connection) -> None:
    """Delete run rows (they counted worker work per run); keep the trend refresh's response watermark."""
    watermark = 0
    for detail in bind.scalars(sa.select(runs.c.detail).where(runs.c.job == "trends", runs.c.status == "ok")
                               .order_by(runs.c.id.desc()).limit(20)):
        if detail and "response_watermark" in detail:
            watermark = int(detail["response_watermark"])
            break
    bind.execute(runs.delete().where(runs.c.status != "running"))
    if watermark:
        now = datetime.now(UTC)
        bind.execute(runs.insert().values(
            job="trends", status="ok", started_at=now, finished_at=now, claimed=0, processed=0, failed=0,
            worker="migration 0005", detail={"response_watermark": watermark,
                                             "note": "run history before this upgrade was deleted"}))


def downgrade() -> None:
    # Ids and times stay as they are: the order and times they had are gone on purpose.
    with op.batch_alter_table("trend_dirty") as batch_op:
        batch_op.add_column(sa.Column("marked_at", UTC_DT, nullable=False, server_default=sa.func.current_timestamp()))
