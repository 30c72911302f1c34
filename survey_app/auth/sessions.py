"""Sign-in sessions kept on the server, so that signing out (or being deactivated) really ends them.

The signed cookie carries only a random token; `user_sessions` stores its SHA-256. A session ends when
its row is deleted (sign-out, sign-out everywhere, deactivation), after `SESSION_IDLE_MINUTES` without a
request, or `SESSION_MAX_AGE` after sign-in, whichever comes first. Functions take a session and never
commit, except where noted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import User, UserSession

SESSION_MAX_AGE = timedelta(days=7)
# last_seen_at is written at most this often: a write per page view would queue behind respondents'
# writes on SQLite for nothing, and a minute is far below any idle limit.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, now: datetime | None = None) -> str:
    """Open a session for `user` and return the token to put in the cookie; drop the user's expired ones."""
    now = now or datetime.now(UTC)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.created_at <= now - SESSION_MAX_AGE))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_hash(token), created_at=now, last_seen_at=now))
    session.flush()
    return token


@dataclass(frozen=True)
class Lookup:
    user: User | None
    expired: bool  # the token named a session that timed out: say so, then ask to sign in again


def resume_session(session: Session, token: str, idle: timedelta, now: datetime | None = None) -> Lookup:
    """The active user behind `token`; an expired session is deleted. Marks the session as seen."""
    now = now or datetime.now(UTC)
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return Lookup(None, expired=False)
    if now - row.last_seen_at > idle or now - row.created_at > SESSION_MAX_AGE:
        session.delete(row)
        return Lookup(None, expired=True)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        session.delete(row)
        return Lookup(None, expired=False)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Lookup(user, expired=False)


def end_session(session: Session, token: str) -> None:
    """Sign this browser out: its cookie, even a copy of it, opens nothing any more."""
    session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_all_sessions(session: Session, user: User) -> int:
    """Sign `user` out everywhere; returns how many sessions ended."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)
