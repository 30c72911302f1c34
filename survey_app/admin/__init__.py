"""Admin: survey editor, definition upload/download, sites and departments, distribution. Admins only."""

from survey_app.admin import views  # noqa: F401  (they register their routes on bp)
from survey_app.admin.blueprint import bp

__all__ = ["bp"]
