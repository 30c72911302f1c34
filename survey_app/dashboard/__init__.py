"""Analyst pages: dashboards, drill-down, exports, urgent queue, objectives, complaints, monthly report."""

# The view modules register their routes on bp.
from survey_app.dashboard import correction_views, manage_views, report_views, urgent_views, views  # noqa: F401
from survey_app.dashboard.blueprint import bp

__all__ = ["bp"]
