"""Analyst accounts: sign-in, sign-out (also everywhere), roles, and the access check every view uses."""

from survey_app.auth import views  # noqa: F401  (they register their routes on bp)
from survey_app.auth.blueprint import bp

__all__ = ["bp"]
