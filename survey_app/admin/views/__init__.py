"""Admin views by area, all on the admin blueprint: thin, each validates a form, calls a service, commits once."""

from survey_app.admin.blueprint import bp
from survey_app.admin.views import distribution, organisation, privacy, questions, surveys  # noqa: F401  (routes)
from survey_app.auth.access import require_role


@bp.before_request
@require_role("admin")
def _admins_only() -> None:
    """Every admin URL is for admins: denied by default, whatever a view forgets."""
