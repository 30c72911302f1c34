"""Admin: survey editor, definition upload/download, sites and departments, distribution. Admins only."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from survey_app.admin import views  # noqa: E402,F401  (registers the routes on bp)
