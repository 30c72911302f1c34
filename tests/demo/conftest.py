"""Fixtures for the demo seed: one seeded demo per test, in the rolled-back test transaction."""

from __future__ import annotations

from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from survey_app.auth import passwords
from survey_app.demo.seed import SeedSummary, seed_demo

TODAY = date(2025, 6, 15)
SEED = 11
N = 200


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every seed hashes three passwords; at production Argon2 cost that is most of a test's time."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture()
def seeded(db_session: Session) -> SeedSummary:
    return seed_demo(db_session, responses=N, seed=SEED, today=TODAY)
