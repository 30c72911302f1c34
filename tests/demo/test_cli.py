"""`heedful demo seed` against a migrated temporary SQLite file, through the real `heedful` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from heedful.cli import cli
from migrations.runner import upgrade
from models import Response, Survey, User
from models.db import make_engine
from models.settings import ConfigError


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    yield url


def _run(url: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    environ = {"HEEDFUL_DATABASE_URL": url, "HEEDFUL_INSTANCE_PATH": str(tmp_path / "instance"),
               "HEEDFUL_ENV": "development", **(env or {})}
    return CliRunner().invoke(cli, ["demo", "seed", *args], env=environ)


def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_seed_commits_and_prints_a_summary_without_secrets(database: str, tmp_path: Path) -> None:
    result = _run(database, tmp_path, "--responses", "40", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "40 responses (26 customer, 14 worker)" in result.output
    assert "analyst@demo.heedful (analyst)" in result.output
    assert "-pw" not in result.output  # no passwords (and no invitation tokens) are printed
    assert _count(database, Response) == 40
    assert _count(database, User) == 3


def test_second_seed_is_refused_in_one_line_and_if_empty_skips(database: str, tmp_path: Path) -> None:
    assert _run(database, tmp_path, "--responses", "10").exit_code == 0
    again = _run(database, tmp_path, "--responses", "10")
    assert again.exit_code == 1
    assert again.output.strip() == (
        "Error: the demo is already seeded (survey demo-customer exists); nothing was changed")
    skipped = _run(database, tmp_path, "--if-empty")
    assert skipped.exit_code == 0
    assert "demo not seeded" in skipped.output
    assert _count(database, Response) == 10


def test_if_empty_seeds_an_empty_database(database: str, tmp_path: Path) -> None:
    result = _run(database, tmp_path, "--if-empty", "--responses", "0")
    assert result.exit_code == 0, result.output
    assert _count(database, Survey) == 2
    assert _count(database, Response) == 0


def test_unmigrated_database_gets_the_upgrade_hint(tmp_path: Path) -> None:
    result = _run(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    assert isinstance(result.exception, ConfigError)
    assert "run `heedful db upgrade`" in str(result.exception)


def test_refused_in_production(database: str, tmp_path: Path) -> None:
    result = _run(database, tmp_path, env={"HEEDFUL_ENV": "production", "HEEDFUL_SECRET_KEY": "x" * 40})
    assert result.exit_code == 1
    assert "published passwords" in result.output
    assert _count(database, Survey) == 0


def test_negative_responses_is_a_usage_error(database: str, tmp_path: Path) -> None:
    result = _run(database, tmp_path, "--responses", "-5")
    assert result.exit_code == 2
    assert "--responses" in result.output
    assert _count(database, Survey) == 0
