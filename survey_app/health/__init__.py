from survey_app.health import views  # noqa: F401  (they register their routes on bp)
from survey_app.health.blueprint import bp

__all__ = ["bp"]
