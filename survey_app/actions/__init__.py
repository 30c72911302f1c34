"""Closing the loop: corrective actions, the reporter's receipt page and per-site "you said, we did"."""

from flask import Blueprint

bp = Blueprint("actions", __name__)

from survey_app.actions import views  # noqa: E402,F401  (registers the routes on bp)
