"""Account services. They take a session and never commit: the request or CLI command does."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry, User
from models.user import ROLES
from survey_app.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from survey_app.auth.sessions import end_all_sessions


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the email is unknown, so timing does not reveal which emails exist."""
    return hash_password("not-a-real-password-0000")


class AccountError(ValueError):
    """A user-facing problem with account data (the message is safe to show)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, email: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError("email must be a valid address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password, user_inputs=[email, *email.replace("@", ".").split(".")])
    if problem:
        raise AccountError(problem)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    session.add(AuditEntry(actor_id=None, action="user.create", target_type="user", target_id=str(user.id),
                           detail={"role": role}))
    return user


def authenticate(session: Session, email: str, password: str, *, may_try: bool = True,
                 now: datetime | None = None) -> User | None:
    """Return the user when the password matches, the account is active and `may_try` (not throttled).

    Every refusal costs one argon2 verification, as a wrong password does, so an unknown email, an
    inactive account and a throttled attempt take the same time as a wrong password.
    """
    now = now or datetime.now(UTC)
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not may_try:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        session.add(AuditEntry(actor_id=user.id, action="login.failed", target_type="user",
                               target_id=str(user.id)))
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(AuditEntry(actor_id=user.id, action="login", target_type="user", target_id=str(user.id)))
    return user


def log_out_everywhere(session: Session, user: User) -> None:
    """Invalidate every session of this user: sessions carry the version they were issued with."""
    user.session_version += 1
    end_all_sessions(session, user)
    session.add(AuditEntry(actor_id=user.id, action="logout.everywhere", target_type="user",
                           target_id=str(user.id)))


def deactivate_user(session: Session, email: str) -> User:
    """Stop `email` from signing in and end every session it has (API tokens stop with `active`)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"there is no user with email {normalise_email(email)}")
    user.active = False
    ended = end_all_sessions(session, user)
    session.add(AuditEntry(actor_id=None, action="user.deactivate", target_type="user", target_id=str(user.id),
                           detail={"sessions_ended": ended}))
    return user
