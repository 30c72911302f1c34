"""Respondents: answer a survey by public link, personal invitation, or a site's QR code."""

from survey_app.respond import views  # noqa: F401  (registers the routes on bp)
from survey_app.respond.blueprint import bp

__all__ = ["bp"]
