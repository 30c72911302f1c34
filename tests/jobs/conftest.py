"""Pipeline fixtures: a job context over the rolled-back test transaction, with the stub analyzer."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jobs.context import JobContext
from models.settings import Settings
from tests.jobs.stubs import StubAnalyzer

TAXONOMY_YAML = """\
name: shop
topics:
  - name: delivery
    description: Parcels arriving late or damaged.
    keywords: [parcel, courier]
  - name: staff
    description: How staff treated the customer.
    keywords: [friendly, rude]
"""


@pytest.fixture()
def stub() -> StubAnalyzer:
    return StubAnalyzer()


@pytest.fixture()
def job_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, score_batch_size=4, score_max_attempts=3, lease_seconds=60,
                               alert_emails=(), webhook_url=None, smtp_host=None)


@pytest.fixture()
def job_ctx(job_settings: Settings, session_factory: sessionmaker[Session], stub: StubAnalyzer) -> JobContext:
    return JobContext(settings=job_settings, sessions=session_factory, analyzer_factory=lambda _s: stub)
