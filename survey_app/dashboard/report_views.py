"""The monthly management review report: HTML (print CSS) and PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from common.periods import parse_month, period_start, previous_start
from survey_app.analytics.objectives import describe_target
from survey_app.analytics.report import EMPTY, build_report, latest_text, report_pdf, status_label
from survey_app.auth.access import readable_survey_or_404, require_role
from survey_app.dashboard.blueprint import bp
from survey_app.extensions import db

ROLES = ("admin", "analyst", "safety_officer")


@bp.get("/surveys/<int:survey_id>/report")
@require_role(*ROLES)
def report_index(survey_id: int) -> ResponseReturnValue:
    """Go to last month's report."""
    readable_survey_or_404(survey_id)
    month = previous_start("month", period_start("month", datetime.now(UTC).date()))
    return redirect(url_for("dashboard.report", survey_id=survey_id, month=month.strftime("%Y-%m")))


def _month(text: str) -> date:
    try:
        month = parse_month(text)
        previous_start("month", month)  # the page links to the month before: 0001-01 has none
    except ValueError as exc:
        abort(400, description=str(exc))
    return month


@bp.get("/surveys/<int:survey_id>/report/<month>")
@require_role(*ROLES)
def report(survey_id: int, month: str) -> ResponseReturnValue:
    """The report for one month (YYYY-MM) as a printable page."""
    survey = readable_survey_or_404(survey_id)
    m = _month(month)
    rep = build_report(db.session, survey, m)
    prev = previous_start("month", m)
    return render_template("dashboard/report.html", rep=rep, survey=survey, month=m, prev=prev.strftime("%Y-%m"),
                           empty=EMPTY, status_label=status_label, latest_text=latest_text,
                           describe_target=describe_target)


@bp.get("/surveys/<int:survey_id>/report/<month>.pdf")
@require_role(*ROLES)
def report_pdf_view(survey_id: int, month: str) -> ResponseReturnValue:
    """The same report as a PDF."""
    survey = readable_survey_or_404(survey_id)
    m = _month(month)
    pdf = report_pdf(build_report(db.session, survey, m))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{survey.slug}-report-{m:%Y-%m}.pdf"'})
