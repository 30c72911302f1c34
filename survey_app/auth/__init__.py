"""Analyst accounts: sign-in, sign-out (also everywhere), roles, and the access check every view uses."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from survey_app.auth import views  # noqa: E402,F401  (registers the routes on bp)
