"""Closing the loop: corrective actions, the reporter's receipt page and per-site "you said, we did"."""

from survey_app.actions import views  # noqa: F401  (they register their routes on bp)
from survey_app.actions.blueprint import bp

__all__ = ["bp"]
