"""Who is signed in, the role check every analyst view uses, and which surveys a user may read.

Denied by default. `readable_survey_or_404` is the one lookup of a survey by id for every page, form
and API call: 404 when there is no such survey, 403 when the user's role may not read its audience.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from sqlalchemy import select

from models import Survey, User
from models.user import AUDIENCE_ROLES
from survey_app.auth.sessions import end_session, resume_session, start_session
from survey_app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the schema: a larger one in a URL names nothing



def current_user() -> User | None:
    """The signed-in user, or None when the session is missing, ended, timed out or the account is inactive."""
    if "current_user" in g:
        cached: User | None = g.current_user
        return cached
    user: User | None = None
    token = session.get("sid")
    if isinstance(token, str):
        idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
        found = resume_session(db.session, token, idle)
        user, g.session_expired = found.user, found.expired
        if db.session.dirty or db.session.deleted:
            # Runs before the view writes anything (require_role asks first), so this commits only the
            # session's own bookkeeping: its last-seen time, or the deletion of an ended session.
            db.session.commit()
    if user is None and session:
        session.clear()
    g.current_user = user
    return user


def login_user(user: User) -> None:
    """Open a server-side session for `user`; the request commits it."""
    token = start_session(db.session, user)
    session.clear()  # a fresh session on sign-in: no fixation
    session["sid"] = token
    session.permanent = True


def logout_user() -> None:
    """End this browser's session on the server; the request commits it."""
    token = session.get("sid")
    if isinstance(token, str):
        end_session(db.session, token)
    session.clear()
    g.current_user = None


def _back_here() -> str:
    """Where to return after signing in again: this page, or for a form post the page that sent it."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return ""


def require_role(*roles: str) -> Callable[[F], F]:
    """Allow the view only to signed-in users with one of `roles` (any role when none is named)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if g.get("session_expired"):
                    flash("Your session timed out. Sign in again to carry on where you were.", "info")
                return redirect(url_for("auth.login", next=_back_here() or None))
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
