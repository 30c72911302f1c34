"""Server-side sign-in sessions and the login throttle's counters (keyed by HMAC, never an address)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class UserSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored here.

    Deleting the row ends the session on the server: a copy of the old cookie opens nothing.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed sign-ins counted under one key: an (account, client) pair or a client address alone."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 hex: no email or address
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]
