"""Who is signed in, the role check every analyst view uses, and which surveys a user may read.

Denied by default. `readable_survey_or_404` is the one lookup of a survey by id for every page, form
and API call: 404 when there is no such survey, 403 when the user's role may not read its audience.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select

from models import Survey, User
from models.user import AUDIENCE_ROLES
from survey_app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the schema: a larger one in a URL names nothing



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


def signed_in() -> User:
    """The signed-in user, in a view wrapped in `require_role` (401 otherwise)."""
    user = current_user()
    if user is None:  # views are wrapped in require_role, so this is a programming error
        abort(401)
    return user


def readable_audiences(user: User) -> list[str]:
    return [audience for audience, roles in AUDIENCE_ROLES.items() if user.role in roles]


def readable_survey_or_404(survey_id: int, user: User | None = None) -> Survey:
    """The survey `user` (default: the signed-in user) may read: 404 when missing, 403 for another audience."""
    survey = db.session.get(Survey, survey_id) if 0 < survey_id <= MAX_ID else None
    if survey is None:
        abort(404, description="There is no such survey.")
    if not can_read_audience(user or signed_in(), survey.audience):
        abort(403, description="Your role may not read this survey.")
    return survey


def readable_surveys(user: User) -> list[Survey]:
    return list(db.session.scalars(
        select(Survey).where(Survey.audience.in_(readable_audiences(user))).order_by(Survey.archived, Survey.title)
    ).all())
