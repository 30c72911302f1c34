"""The JSON API at /api/v1 (bearer tokens, OpenAPI at /api/v1/openapi.json) and the admin token page."""

from survey_app.api import token_views, views  # noqa: F401  (they register their routes on bp)
from survey_app.api.blueprint import bp

__all__ = ["bp"]
