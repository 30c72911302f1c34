"""worker surveys: raise anonymity thresholds below the floor (figures 3, comments 5), audited

Editing and importing now refuse a worker survey's thresholds under the floor; surveys stored before
keep nothing lower. Each raised value is audited with its old and new value. Downgrade leaves the
raised values: lowering them again would undo a protection, and the audit says what they were.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:40:00
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Copied, not imported: a migration keeps the values it was written with.
FLOORS = {"min_group_size": 3, "min_comment_group_size": 5}

surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("slug", sa.String),
                   sa.column("audience", sa.String), *(sa.column(name, sa.Integer) for name in FLOORS))
audit = sa.table("audit_log", sa.column("at", models.base.UTCDateTime()), sa.column("actor_name", sa.String),
                 sa.column("action", sa.String), sa.column("target_type", sa.String), sa.column("target_id", sa.String),
                 sa.column("detail", sa.JSON))


def upgrade() -> None:
    bind = op.get_bind()
    low = bind.execute(sa.select(surveys).where(
        surveys.c.audience == "worker",
        sa.or_(*(surveys.c[name] < floor for name, floor in FLOORS.items())))).mappings().all()
    for row in low:
        changed = {name: {"old": row[name], "new": floor} for name, floor in FLOORS.items() if row[name] < floor}
        bind.execute(surveys.update().where(surveys.c.id == row["id"]).values(
            **{name: values["new"] for name, values in changed.items()}))
        bind.execute(audit.insert().values(
            at=datetime.now(UTC), actor_name="migration 0004", action="survey.thresholds",
            target_type="survey", target_id=str(row["id"]), detail={"slug": row["slug"], **changed}))


def downgrade() -> None:
    pass
