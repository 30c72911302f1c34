"""Foundation fixtures: a fresh empty database for migration tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
