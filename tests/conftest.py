"""Shared fixtures: one database per test session, a rolled-back transaction per test.

Set HEEDFUL_TEST_DATABASE_URL to run the same suite on PostgreSQL (`make test` does both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

import models
from models.db import make_engine
from models.settings import Settings, load_settings
from survey_app import create_app
from survey_app.auth import passwords
from survey_app.extensions import db


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2id at minimal cost: production parameters would make every sign-in in tests take ~0.3 s."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _test_database_url(tmp: Path) -> str:
    return os.environ.get("HEEDFUL_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    models.Base.metadata.drop_all(eng)
    models.Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture()
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside code under test release a SAVEPOINT; the outer transaction is rolled back.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture()
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture()
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        {"HEEDFUL_ENV": "testing", "HEEDFUL_INSTANCE_PATH": str(tmp_path / "instance"),
         "HEEDFUL_SECRET_KEY": "test-secret", "HEEDFUL_DATABASE_URL": database_url}
    )


@pytest.fixture()
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Flask:
    application = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, settings=settings)
    db.state(application).sessionmaker = session_factory
    return application


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for a module of browser tests (skips with a reason when unavailable)."""
    from tests.live import chromium

    yield from chromium()
