"""Analysts correct a comment's labels from the drill-down, and see how often the model agrees with them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from survey_app.analytics import agreement as agreement_service
from survey_app.analytics import corrections as correction_service
from survey_app.auth.access import readable_survey_or_404, require_role, signed_in
from survey_app.dashboard.blueprint import bp
from survey_app.dashboard.forms import CorrectionForm
from survey_app.extensions import db

ROLES = ("admin", "analyst", "safety_officer")
# The drill-down's own query parameters: the only ones a correction form may send the analyst back with.
BACK_KEYS = ("period", "period_start", "segment_type", "segment_value", "topic", "sentiment", "q", "page")


def _back_to_comments(survey_id: int, back: str | None, analysis_id: int) -> str:
    args: dict[str, Any] = {k: v for k, v in parse_qsl(back or "") if k in BACK_KEYS and v}
    return url_for("dashboard.comments", survey_id=survey_id, _anchor=f"c{analysis_id}", **args)


@bp.post("/surveys/<int:survey_id>/comments/<int(signed=True):analysis_id>/correction")
@require_role(*ROLES)
def correction_save(survey_id: int, analysis_id: int) -> ResponseReturnValue:
    """Store the analyst's sentiment, urgency and topics for one comment; the model's stay beside them."""
    survey = readable_survey_or_404(survey_id)  # 403 for the other audience's surveys: the same rule as reading
    form = CorrectionForm()
    if not form.validate_on_submit():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        abort(400, description=" ".join(str(e) for e in errors) or "The form could not be read; reload the page.")
    try:
        correction_service.save_correction(
            db.session, survey, analysis_id, signed_in(),
            sentiment=form.sentiment.data or "", urgent=bool(form.urgent.data), topics=form.topics.data or [],
        )
    except correction_service.CorrectionRefused as exc:
        db.session.rollback()
        titles = {400: "Correction not saved", 403: "Not allowed", 404: "Comment not found"}
        return render_template("error.html", code=exc.status, title=titles.get(exc.status, "Correction not saved"),
                               message=str(exc)), exc.status
    db.session.commit()
    flash("Correction saved. Trend figures include it after the next refresh.", "info")
    return redirect(_back_to_comments(survey.id, form.back.data, analysis_id))


@bp.get("/surveys/<int:survey_id>/agreement")
@require_role(*ROLES)
def agreement(survey_id: int) -> ResponseReturnValue:
    """How often the model agreed with analysts' reviews, per label and month."""
    survey = readable_survey_or_404(survey_id)
    return render_template("dashboard/agreement.html", survey=survey,
                           tables=agreement_service.agreement(db.session, survey), all_key=agreement_service.ALL)
