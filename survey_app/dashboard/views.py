"""Dashboard views: thin — parse filters, call analytics services, render."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, render_template, request, send_file, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest

from models import AuditEntry, Survey, Theme
from survey_app.analytics import comments as comment_service
from survey_app.analytics import corrections as correction_service
from survey_app.analytics import exports as export_service
from survey_app.analytics import languages, rates, segments, trends, urgent
from survey_app.analytics.charts import svg_to_png
from survey_app.analytics.comment_audit import record_comment_view
from survey_app.analytics.exports import csv_stream
from survey_app.auth.access import current_user, readable_survey_or_404, readable_surveys, require_role, signed_in
from survey_app.dashboard.blueprint import bp
from survey_app.dashboard.charts import CHART_NAMES, Chart, build
from survey_app.dashboard.filters import Filters, comment_filter, dashboard_filters
from survey_app.extensions import db

ROLES = ("admin", "analyst", "safety_officer")


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest) -> ResponseReturnValue:
    """Say what was wrong with the request instead of a generic 400 page."""
    return render_template("error.html", code=400, title="Bad request", message=exc.description), 400


@bp.get("")
@require_role(*ROLES)
def index() -> ResponseReturnValue:
    """The surveys this user may read, and the urgent queue size for safety officers."""
    user = signed_in()
    urgent_count = urgent.waiting_count(db.session) if user.role in ("admin", "safety_officer") else None
    return render_template("dashboard/index.html", surveys=readable_surveys(user), urgent_count=urgent_count,
                           user=user)


def _comments_url(survey_id: int):  # type: ignore[no-untyped-def]
    def make(**args: object) -> str:
        return url_for("dashboard.comments", survey_id=survey_id, **{k: v for k, v in args.items() if v})
    return make


def _charts(survey_id: int, names: tuple[str, ...] = CHART_NAMES) -> tuple[Survey, Filters, list[Chart]]:
    survey = readable_survey_or_404(survey_id)
    seg_types = trends.segment_types(db.session, survey.id)
    f = dashboard_filters(default_compare=seg_types[0] if seg_types else "site")
    charts = [build(db.session, survey, name, f, _comments_url(survey.id)) for name in names]
    return survey, f, charts


@bp.get("/surveys/<int:survey_id>")
@require_role(*ROLES)
def survey(survey_id: int) -> ResponseReturnValue:
    """One survey's dashboard, built from the trend tables."""
    s, f, charts = _charts(survey_id)
    seg_types = trends.segment_types(db.session, s.id)
    seg_values = (segments.labels(db.session, f.segment_type, trends.segment_values(db.session, s.id, f.segment_type))
                  if f.segment_type != "*" else {})
    themes = db.session.scalars(
        select(Theme).where(Theme.survey_id == s.id, Theme.status != "dismissed")
        .order_by(Theme.size.desc()).limit(10)
    ).all()
    visible_themes = [t for t in themes if t.size >= s.min_group_size]
    return render_template(
        "dashboard/survey.html", survey=s, f=f, charts=charts, seg_types=seg_types,
        seg_values=seg_values, themes=visible_themes, hidden_themes=len(themes) - len(visible_themes),
        rates=rates.response_rates(db.session, s.id),
        not_analysed=languages.not_analysed_summary(db.session, s),
    )


@bp.get("/surveys/<int:survey_id>/charts/<name>.<fmt>")
@require_role(*ROLES)
def chart_download(survey_id: int, name: str, fmt: str) -> ResponseReturnValue:
    """One chart as SVG, PNG or CSV (its accessible table), with the same filters and thresholds."""
    if name not in CHART_NAMES or fmt not in ("svg", "png", "csv"):
        abort(404)
    survey, _f, (chart,) = _charts(survey_id, (name,))
    filename = f"{survey.slug}-{name}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "svg":
        return Response(chart.svg, mimetype="image/svg+xml", headers=headers)
    if fmt == "png":
        return Response(svg_to_png(chart.svg), mimetype="image/png", headers=headers)
    return Response(csv_stream(chart.columns, chart.rows), mimetype="text/csv", headers=headers)


@bp.get("/surveys/<int:survey_id>/comments")
@require_role(*ROLES)
def comments(survey_id: int) -> ResponseReturnValue:
    """Drill-down: the redacted comments behind a point or cell, with search and paging."""
    survey = readable_survey_or_404(survey_id)
    f, page = comment_filter()
    result = comment_service.comment_page(db.session, survey, f, page)
    record_comment_view(db.session, signed_in().id, survey, f, result, via="drilldown")
    db.session.commit()
    args = {k: v for k, v in request.args.items() if k != "page"}
    corrections = correction_service.notes_for(db.session, [c.analysis_id for c in result.comments])
    return render_template("dashboard/comments.html", survey=survey, f=f, result=result, args=args,
                           topics=trends.topics(db.session, survey.id), sentiments=comment_service.SENTIMENTS,
                           period=request.args.get("period", "month"), corrections=corrections,
                           correctable_topics=correction_service.known_topics(db.session, survey),
                           back=request.query_string.decode("utf-8", "replace"))


def _closing(chunks: Iterator[str], session: Session) -> Iterator[str]:
    """Stream, then close the session: the request's teardown ran when the view returned, so the
    queries made while streaming opened a new transaction on it (on SQLite, a held write lock)."""
    try:
        yield from chunks
    finally:
        session.close()


@bp.app_context_processor
def _inject_user() -> dict[str, object]:
    return {"current_user": current_user}


@bp.get("/surveys/<int:survey_id>/exports")
@require_role(*ROLES)
def exports(survey_id: int) -> ResponseReturnValue:
    """Links to the CSV and XLSX exports."""
    survey = readable_survey_or_404(survey_id)
    return render_template("dashboard/exports.html", survey=survey, kinds=export_service.KINDS,
                           formats=export_service.FORMATS)


@bp.get("/surveys/<int:survey_id>/export/<kind>.<fmt>")
@require_role(*ROLES)
def export(survey_id: int, kind: str, fmt: str) -> ResponseReturnValue:
    """Stream an export (thresholds applied), after writing who exported what to the audit log."""
    if kind not in export_service.KINDS or fmt not in export_service.FORMATS:
        abort(404)
    survey = readable_survey_or_404(survey_id)
    period = dashboard_filters().period
    try:
        columns, rows = export_service.build_export(db.session, survey, kind, period)
    except export_service.ExportRefused as exc:
        return render_template("error.html", code=409, title="Export not available", message=str(exc)), 409
    db.session.add(AuditEntry(actor_id=signed_in().id, action="export", target_type="survey",
                              target_id=str(survey.id), detail={"kind": kind, "format": fmt, "period": period}))
    db.session.commit()
    filename = f"{survey.slug}-{kind}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(stream_with_context(_closing(csv_stream(columns, rows), db.session)), mimetype="text/csv",
                        headers=headers)
    out = export_service.xlsx_file(columns, rows, title=kind)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=filename)
