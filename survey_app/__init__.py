"""The Heedful web application: respondent pages, analyst pages and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from models.settings import Settings, load_settings
from survey_app.api.errors import error_response, http_error_response, is_api_request
from survey_app.extensions import csrf, db
from survey_app.input_guard import init_input_guard
from survey_app.security import init_security


def create_app(test_config: Mapping[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the app: settings from HEEDFUL_* (or `settings`), then `test_config` on top."""
    from survey_app.auth.sessions import SESSION_MAX_AGE  # here: importing survey_app loads no blueprint

    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        HEEDFUL=settings,
        DATABASE_URL=settings.database_url,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        MAX_FORM_MEMORY_SIZE=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        # The cookie outlives no server-side session (auth/sessions.py enforces both limits).
        PERMANENT_SESSION_LIFETIME=SESSION_MAX_AGE,
        SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        PREFERRED_URL_SCHEME="https" if settings.production else "http",
        WTF_CSRF_TIME_LIMIT=None,
        RESPOND_RATE_BURST=settings.rate_limit_burst,
        RESPOND_RATE_PER_MINUTE=settings.rate_limit_per_minute,
    )
    if test_config:
        app.config.update(test_config)

    db.init_app(app, app.config["DATABASE_URL"])
    csrf.init_app(app)
    init_security(app)
    init_input_guard(app)  # before the blueprints: their routes take its id converter
    _register_blueprints(app)
    _register_errors(app)
    return app


def _register_blueprints(app: Flask) -> None:
    # Imported here, not at the top: importing survey_app (for db or create_app) loads no views.
    from survey_app.actions import bp as actions
    from survey_app.admin import bp as admin
    from survey_app.api import bp as api
    from survey_app.auth import bp as auth
    from survey_app.dashboard import bp as dashboard
    from survey_app.health import bp as health
    from survey_app.respond import bp as respond

    for bp in (health, respond, admin, auth, dashboard, api, actions):
        app.register_blueprint(bp)


def _register_errors(app: Flask) -> None:
    for code, title, message in (
        (400, "Bad request", "The request could not be understood. Please go back and try again."),
        (403, "Not allowed", "You do not have access to this page."),
        (404, "Not found", "This page does not exist, or the link is no longer valid."),
        (405, "Not allowed", "This action is not available here."),
        (413, "Too large", "What you sent is too large. Please shorten your answers and try again."),
        (429, "Too many requests", "Please wait a moment and try again."),
        (503, "Temporarily unavailable", "We could not save this right now. Please try again in a minute."),
    ):
        app.register_error_handler(code, _error_page(code, title, message))
    # Connection trouble only: other database errors (bad data, a constraint) are bugs, not "try again".
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)


def _database_unavailable(exc: DBAPIError) -> ResponseReturnValue:
    """The database went away (restart, failover, locked too long): roll back, answer 503 to retry."""
    from survey_app.extensions import db

    current_app.logger.warning("request failed on the database: %s", type(exc.orig or exc).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is already gone; closing the session at teardown discards it
    if is_api_request():
        return error_response(503, "the database is unavailable, try again in a minute"), {"Retry-After": "30"}
    return render_template("error.html", code=503, title="Temporarily unavailable",
                           message="We could not do this right now. Please try again in a minute."), 503, \
        {"Retry-After": "30"}


def _error_page(code: int, title: str, message: str) -> Any:
    def handler(exc: Exception) -> ResponseReturnValue:
        # URLs under /api/v1/ answer JSON even when no API view ran (an unknown path, a wrong method).
        if is_api_request() and isinstance(exc, HTTPException):
            return http_error_response(exc)
        return render_template("error.html", code=code, title=title, message=message), code

    return handler
