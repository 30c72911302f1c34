"""Fixtures for the demo seed: one seeded demo per test, in the rolled-back test transaction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from survey_app.demo.seed import SeedSummary, seed_demo

TODAY = date(2025, 6, 15)
SEED = 11
N = 200


@pytest.fixture()
def seeded(db_session: Session) -> SeedSummary:
    return seed_demo(db_session, responses=N, seed=SEED, today=TODAY)
