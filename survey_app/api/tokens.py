"""API tokens: shown once at creation, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken, AuditEntry, User

PREFIX = "hf_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plain token (never stored)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ValueError("token name must be 1 to 120 characters")
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain))
    session.add(row)
    session.flush()
    session.add(AuditEntry(actor_id=(actor or user).id, action="api_token.create", target_type="api_token",
                           target_id=str(row.id), detail={"for_user": user.id}))
    return row, plain


def authenticate_token(session: Session, header: str | None) -> User | None:
    """The active user behind an `Authorization: Bearer <token>` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    plain = header[len("Bearer "):].strip()
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain),
                                                ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = datetime.now(UTC)
    return row.user


def revoke_token(session: Session, token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        session.add(AuditEntry(actor_id=actor.id, action="api_token.revoke", target_type="api_token",
                               target_id=str(token.id)))
