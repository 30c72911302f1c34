from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from survey_app.auth.access import current_user, login_user, logout_user, require_role
from survey_app.auth.blueprint import bp
from survey_app.auth.forms import LoginForm
from survey_app.auth.services import authenticate, log_out_everywhere
from survey_app.auth.throttle import clear_pair, count_attempt, keys_for
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


# One message for a wrong password, an unknown email, an inactive account and a throttled attempt, so
# the answer tells a guesser nothing about which emails exist.
WRONG = "Email or password is wrong. After a few wrong tries, wait a little before trying again."
CAPPED = "Too many sign-in attempts from your network. Try again in an hour."


@bp.post("/login")
def login_submit() -> ResponseReturnValue:
    """Sign in; the same message and timing for unknown email, wrong password and a throttled attempt."""
    form = LoginForm()
    nxt = request.form.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, next=nxt), 400
    email, password = form.email.data or "", form.password.data or ""
    keys = keys_for(current_app.config["SECRET_KEY"], email, request.remote_addr or "unknown")
    verdict = count_attempt(db.session, keys)
    # Committed before the slow password check, so parallel attempts from one client count each other.
    db.session.commit()
    if verdict == "capped":
        flash(CAPPED, "error")  # about the address only: nothing here depends on the email
        return render_template("auth/login.html", form=form, next=nxt), 429
    user = authenticate(db.session, email, password, may_try=verdict == "ok")
    if user is None:
        db.session.commit()  # the audit of a failed sign-in
        flash(WRONG, "error")
        return render_template("auth/login.html", form=form, next=nxt), 401
    clear_pair(db.session, keys)
    login_user(user)
    db.session.commit()
    return redirect(_safe_next(nxt))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out of this browser: the session ends on the server, so a copy of the cookie opens nothing."""
    logout_user()
    db.session.commit()
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@require_role()
def logout_everywhere() -> ResponseReturnValue:
    """Sign out of every browser and device."""
    user = current_user()
    assert user is not None
    log_out_everywhere(db.session, user)
    logout_user()
    db.session.commit()
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
    return set(current_app.view_functions)
