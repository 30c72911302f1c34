"""Fixtures for fault, abuse and security tests: apps on their own databases (real commits), and a
private PostgreSQL server that a test may stop and start without touching the shared one."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import models
from models import Answer, Response
from models.db import make_engine
from models.settings import load_settings
from survey_app import create_app
from tests.live import free_port

QUESTIONS: list[dict[str, Any]] = [
    {"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": "Recommend?"}}},
    {"key": "csat", "type": "csat", "texts": {"en": {"label": "Satisfied?"}}},
    {"key": "why", "type": "long_text", "texts": {"en": {"label": "Why?"}}, "settings": {"max_length": 2000}},
]
ANSWERS = {"nps": "9", "csat": "4", "why": "Quick delivery"}


def app_on(url: str, instance: Path, **config: Any) -> Flask:
    """An app on its own database, configured like production but for the secret and CSRF."""
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "proof-secret-0123456789",
                              "HEEDFUL_INSTANCE_PATH": str(instance), "HEEDFUL_DATABASE_URL": url})
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RESPOND_RATE_BURST": 100_000,
                       "RESPOND_RATE_PER_MINUTE": 100_000, **config}, settings=settings)


def dispose(app: Flask) -> None:
    app.extensions["heedful.db"].engine.dispose()


@pytest.fixture()
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file database of its own, so commits are real and visible to other threads/processes."""
    eng = make_engine(f"sqlite:///{tmp_path / 'proof.db'}")
    models.Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def stored_consistently(engine: Engine, survey_id: int, answers_each: int) -> int:
    """Count the survey's responses, asserting none is half-written (each has all its answers)."""
    with Session(engine) as s:
        responses = s.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey_id))
        per_response = s.execute(
            select(Response.id, func.count(Answer.id)).outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.survey_id == survey_id).group_by(Response.id)
        ).all()
    incomplete = [(rid, n) for rid, n in per_response if n != answers_each]
    assert incomplete == [], f"half-written responses: {incomplete[:5]}"
    return int(responses or 0)


# A private PostgreSQL server -----------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    """A throw-away server in a temp dir owned by the postgres OS user, on a free loopback port."""

    bindir: Path
    datadir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "30",
                          "-l", str(self.datadir / "server.log"),
                          "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir}", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-m", mode, "stop")




@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root needs runuser to start PostgreSQL as the postgres user")
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="heedful-pg-"))
    datadir = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        os.chmod(root, 0o700)
    server = PrivatePostgres(bindir, datadir, free_port())
    server._as_postgres(str(bindir / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8")
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped by the test
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)
