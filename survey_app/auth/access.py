"""Who is signed in, and the role check every analyst view uses. Denied by default."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for

from models import User
from survey_app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

# Which roles may read which survey audience.
AUDIENCE_ROLES = {"customer": ("admin", "analyst"), "worker": ("admin", "safety_officer")}


def current_user() -> User | None:
    """The signed-in user, or None when the session is missing, stale or the account is inactive."""
    if "current_user" in g:
        cached: User | None = g.current_user
        return cached
    user: User | None = None
    uid = session.get("user_id")
    if uid is not None:
        candidate = db.session.get(User, uid)
        if candidate is not None and candidate.active and candidate.session_version == session.get("sv"):
            user = candidate
        else:
            session.clear()
    g.current_user = user
    return user


def login_user(user: User) -> None:
    session.clear()  # a fresh session on sign-in: no fixation
    session["user_id"] = user.id
    session["sv"] = user.session_version
    session.permanent = True


def require_role(*roles: str) -> Callable[[F], F]:
    """Allow the view only to signed-in users with one of `roles` (any role when none is named)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_read_audience(user: User, audience: str) -> bool:
    return user.role in AUDIENCE_ROLES.get(audience, ())
