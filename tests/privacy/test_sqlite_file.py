"""Deleted text leaves the SQLite file itself: the raw bytes of the database and its WAL are read back."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from jobs.context import JobContext
from jobs.privacy_cli import privacy_cli
from migrations.runner import upgrade
from models.db import make_engine, make_session_factory
from models.settings import Settings
from tests.jobs.stubs import StubAnalyzer
from tests.privacy.conftest import MARIA, MARIA_TEXT, NOW, OTHER_TEXT, build_world


@pytest.fixture()
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'heedful.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture()
def file_ctx(file_engine: Engine, job_settings: Settings) -> JobContext:
    ticks = itertools.count()
    stub = StubAnalyzer()
    return JobContext(settings=job_settings, sessions=make_session_factory(file_engine),
                      analyzer_factory=lambda _s: stub, now=lambda: NOW + timedelta(microseconds=next(ticks)))


def _raw(engine: Engine) -> bytes:
    """The database file and whatever sits beside it (WAL, shared memory), as they are on disk now."""
    path = Path(str(engine.url.database))
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")) if p.is_file())


def _world(file_engine: Engine, file_ctx: JobContext) -> None:
    with file_ctx.sessions() as s:
        build_world(s, file_ctx)
        s.commit()


def test_erased_address_and_text_are_not_in_the_file(file_engine: Engine, file_ctx: JobContext) -> None:
    _world(file_engine, file_ctx)
    secrets = [MARIA.encode(), MARIA_TEXT.encode(), b"Maria Kowalska"]
    raw = _raw(file_engine)
    assert all(s in raw for s in secrets)  # the check can see them while they are stored

    result = CliRunner().invoke(privacy_cli, ["erase", "--email", MARIA, "--yes"], obj=file_ctx)

    assert result.exit_code == 0, result.output
    raw = _raw(file_engine)
    assert [s for s in secrets if s in raw] == []


def test_purged_text_is_not_in_the_file(file_engine: Engine, file_ctx: JobContext) -> None:
    _world(file_engine, file_ctx)
    assert OTHER_TEXT.encode() in _raw(file_engine)
    # Keep the recent answers' "other" text out of the way: only old ones are purged.
    purge_ctx = dataclasses.replace(file_ctx, now=lambda: NOW + timedelta(days=3650))

    result = CliRunner().invoke(privacy_cli, ["purge"], obj=purge_ctx)

    assert result.exit_code == 0, result.output
    raw = _raw(file_engine)
    for secret in (OTHER_TEXT, MARIA_TEXT, "exposed wire near press", "Maria Kowalska", MARIA):
        assert secret.encode() not in raw, secret
