"""Analyst pages: dashboards, drill-down, exports, urgent queue, objectives, complaints, monthly report."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from survey_app.dashboard import correction_views, manage_views, report_views, views  # noqa: E402,F401  (registers routes on bp)
