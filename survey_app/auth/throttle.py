"""Login throttling that slows a guesser down without letting anyone lock another person out.

Attempts are counted under two keys, both HMACs (no email or address is stored):
- the (account, client address) pair: after `FREE_ATTEMPTS`, each further attempt from that client for
  that email waits twice as long as the last (1 s, 2 s, 4 s ... up to `MAX_DELAY`); an attempt made
  before its wait is over is refused unchecked. Someone guessing from
  another address slows only themselves; the account's owner signs in as usual. The pair is keyed by
  the email as typed, so an unknown email is throttled exactly like a known one and reveals nothing.
- the client address alone: at most `ADDRESS_CAP` attempts per `ADDRESS_WINDOW`, whatever the emails,
  so one client cannot spread guesses (or argon2 work) over many accounts.

An attempt is counted before its password is checked and committed at once, so parallel requests from
one client see each other; a successful sign-in clears its pair. The counters live in the database, so
every web process and host sees the same ones.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import case, delete, literal, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import LoginThrottle
from models.base import UTCDateTime

FREE_ATTEMPTS = 3
MAX_DELAY = timedelta(minutes=15)
PAIR_WINDOW = timedelta(hours=24)  # a pair's count starts again a day after its first attempt
ADDRESS_CAP = 200
ADDRESS_WINDOW = timedelta(hours=1)

Verdict = Literal["ok", "delayed", "capped"]


@dataclass(frozen=True)
class Keys:
    pair: str
    address: str


def keys_for(secret: str, email: str, client: str) -> Keys:
    def mac(*parts: str) -> str:
        return hmac.new(secret.encode(), "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    return Keys(pair=mac("login-pair", email.strip().lower(), client), address=mac("login-address", client))


def count_attempt(session: Session, keys: Keys, now: datetime | None = None) -> Verdict:
    """Count one sign-in attempt under both keys and say whether its password may be checked."""
    now = now or datetime.now(UTC)
    address_count = _bump(session, keys.address, ADDRESS_WINDOW, now)
    if address_count > ADDRESS_CAP:
        return "capped"
    blocked = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == keys.pair))
    if blocked is not None and blocked > now:
        # Refused without a password check; not counted for the pair, so a person retrying too soon
        # waits only the rest of the current delay, not a longer one.
        return "delayed"
    pair_count = _bump(session, keys.pair, PAIR_WINDOW, now)
    if pair_count > FREE_ATTEMPTS:
        delay = min(timedelta(seconds=2 ** min(pair_count - FREE_ATTEMPTS - 1, 20)), MAX_DELAY)
        session.execute(update(LoginThrottle).where(LoginThrottle.key == keys.pair)
                        .values(blocked_until=now + delay))
    return "ok"


def clear_pair(session: Session, keys: Keys) -> None:
    """Forget the pair's attempts after a successful sign-in (the address count stays)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.pair))


def _bump(session: Session, key: str, window: timedelta, now: datetime) -> int:
    """Add one to `key`'s count in one statement (no lost updates between processes); a stale window restarts."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginThrottle.__table__
    stale = table.c.window_started_at <= now - window
    stmt = (
        insert(LoginThrottle)
        .values(key=key, failures=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "window_started_at": case((stale, literal(now, UTCDateTime())), else_=table.c.window_started_at),
                "blocked_until": case((stale, null()), else_=table.c.blocked_until),
            },
        )
        .returning(table.c.failures)
    )
    return int(session.execute(stmt).scalar_one())
