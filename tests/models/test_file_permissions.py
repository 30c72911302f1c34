"""A new SQLite database, its WAL files and its write-queue lock are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from models.db import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_files_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the common default, under which the file used to be 0644
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        made = sorted(p.name for p in tmp_path.iterdir())
        assert "new.db" in made and "new.db-wal" in made
        for name in made:
            assert _mode(tmp_path / name) == 0o600, (name, oct(_mode(tmp_path / name)))
        engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o640
