"""The JSON API at /api/v1 (bearer tokens, OpenAPI at /api/v1/openapi.json) and the admin token page."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from survey_app.api import token_views, views  # noqa: E402,F401  (registers the routes on bp)
