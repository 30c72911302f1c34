"""The single-scheduler lease (jobs/lease.py) without processes: one holder, expiry, take-over, release."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import models
from jobs import lease
from models import SchedulerLease
from models.db import make_engine
from tests.scratch import scratch_database

TTL = timedelta(seconds=60)


def holder(session: Session, name: str = "test-lease") -> str | None:
    return session.scalars(select(SchedulerLease.holder).where(SchedulerLease.name == name)).first()


def test_lease_admits_one_holder(db_session: Session) -> None:
    now = datetime.now(UTC)
    lease.acquire(db_session, "test-lease", "A", TTL, now)
    with pytest.raises(lease.LeaseRefused, match="already running .*A until"):
        lease.acquire(db_session, "test-lease", "B", TTL, now)
    lease.acquire(db_session, "test-lease", "A", TTL, now)  # re-entrant for the holder
    assert lease.renew(db_session, "test-lease", "A", TTL, now)
    # A died: after expiry B takes over, and A's next heartbeat learns it lost the lease.
    later = now + timedelta(seconds=61)
    lease.acquire(db_session, "test-lease", "B", TTL, later)
    assert not lease.renew(db_session, "test-lease", "A", TTL, later)
    lease.release(db_session, "test-lease", "A")  # not A's any more: no effect
    assert holder(db_session) == "B"


def test_renewing_moves_the_expiry_so_nobody_takes_over(db_session: Session) -> None:
    now = datetime.now(UTC)
    lease.acquire(db_session, "test-lease", "A", TTL, now)
    assert lease.renew(db_session, "test-lease", "A", TTL, now + timedelta(seconds=50))
    with pytest.raises(lease.LeaseRefused):
        lease.acquire(db_session, "test-lease", "B", TTL, now + timedelta(seconds=100))  # not expired: 50 + 60
    assert holder(db_session) == "A"


def test_leases_are_independent_by_name_and_released_by_their_holder(db_session: Session) -> None:
    now = datetime.now(UTC)
    lease.acquire(db_session, "scheduler", "A", TTL, now)
    lease.acquire(db_session, "backfill", "B", TTL, now)  # another name: no conflict
    lease.release(db_session, "scheduler", "A")
    assert holder(db_session, "scheduler") is None and holder(db_session, "backfill") == "B"
    lease.acquire(db_session, "scheduler", "C", TTL, now)  # free again at once, no need to wait for expiry
    assert holder(db_session, "scheduler") == "C"


def test_delete_expired_keeps_live_leases(db_session: Session) -> None:
    now = datetime.now(UTC)
    lease.acquire(db_session, "old", "A", timedelta(seconds=1), now - timedelta(minutes=5))
    lease.acquire(db_session, "live", "B", TTL, now)
    assert lease.delete_expired(db_session, now) == 1
    assert holder(db_session, "old") is None and holder(db_session, "live") == "B"


def _engines() -> list[str]:
    return ["sqlite"] + (["postgresql"] if os.environ.get("HEEDFUL_TEST_DATABASE_URL", "").startswith("postgres")
                         else [])


@pytest.fixture(params=_engines())
def shared_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own with real commits, so two connections really race."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'lease.db'}")
        models.Base.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    with scratch_database(os.environ["HEEDFUL_TEST_DATABASE_URL"], "heedful_lease") as url:
        engine = make_engine(url)
        models.Base.metadata.create_all(engine)
        yield engine
        engine.dispose()


def test_two_schedulers_starting_together_get_one_lease(shared_engine: Engine) -> None:
    now = datetime.now(UTC)
    start = threading.Barrier(8)
    outcomes: dict[str, str] = {}

    def start_scheduler(name: str) -> None:
        start.wait()
        try:
            with Session(shared_engine) as s, s.begin():
                lease.acquire(s, "scheduler", name, TTL, now)
            outcomes[name] = "holds"
        except lease.LeaseRefused:
            outcomes[name] = "refused"

    threads = [threading.Thread(target=start_scheduler, args=(f"S{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, o in outcomes.items() if o == "holds"]
    assert len(outcomes) == 8 and len(winners) == 1, outcomes
    with Session(shared_engine) as s:
        assert holder(s, "scheduler") == winners[0]
