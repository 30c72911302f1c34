from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from survey_app.auth.access import current_user, login_user, require_role
from survey_app.auth.blueprint import bp
from survey_app.auth.forms import LoginForm
from survey_app.auth.services import authenticate, log_out_everywhere
from survey_app.extensions import db


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("auth.home")


@bp.get("/login")
def login() -> ResponseReturnValue:
    """Show the sign-in form."""
    return render_template("auth/login.html", form=LoginForm(), next=request.args.get("next", ""))


@bp.post("/login")
def login_submit() -> ResponseReturnValue:
    """Sign in; the same message for unknown email, wrong password and locked account."""
    form = LoginForm()
    nxt = request.form.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, next=nxt), 400
    user = authenticate(db.session, form.email.data or "", form.password.data or "")
    db.session.commit()
    if user is None:
        flash("Email or password is wrong, or the account is locked for a few minutes.", "error")
        return render_template("auth/login.html", form=form, next=nxt), 401
    login_user(user)
    return redirect(_safe_next(nxt))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out of this browser."""
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@require_role()
def logout_everywhere() -> ResponseReturnValue:
    """Sign out of every browser and device."""
    user = current_user()
    assert user is not None
    log_out_everywhere(db.session, user)
    db.session.commit()
    session.clear()
    flash("You have been signed out everywhere.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
def root() -> ResponseReturnValue:
    """The site's address: a signed-in user's surveys, everyone else the sign-in page."""
    if current_user() is None:
        return redirect(url_for("auth.login"))
    return _landing()


@bp.get("/home")
@require_role()
def home() -> ResponseReturnValue:
    """Landing page after sign-in: the dashboard when it exists."""
    return _landing()


def _landing() -> ResponseReturnValue:
    if "dashboard.index" in _endpoints():
        return redirect(url_for("dashboard.index"))
    return render_template("auth/home.html", user=current_user())


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)
