"""Migrations: upgrade to head and down to base, and no drift between models and migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import models
from migrations.runner import check_schema_current, current_revision, downgrade, upgrade
from models.db import make_engine
from models.settings import ConfigError
from tests.scratch import scratch_database


@pytest.fixture()
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh empty database of the same kind the suite runs on."""
    base = os.environ.get("HEEDFUL_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    with scratch_database(base, "heedful_mig") as url:
        yield url


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
