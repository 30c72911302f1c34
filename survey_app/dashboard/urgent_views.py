"""The urgent-report queue and the alerts inbox beside it: read, filter, acknowledge."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from survey_app.analytics import drop_alerts, urgent
from survey_app.auth.access import can_read_audience, readable_audiences, require_role, signed_in
from survey_app.dashboard.blueprint import bp
from survey_app.dashboard.forms import AcknowledgeForm
from survey_app.extensions import db

FILTER_ARGS = ("site", "type", "status", "page")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"'{name}' must be a whole number (got {raw[:20]!r}).")
    return int(raw)


def _page() -> int:
    page = _int_arg("page")
    return 1 if page is None else page


def _queue_filters() -> urgent.QueueFilters:
    """The queue's filters from the URL (`all=1` is the old link for every status)."""
    status = request.args.get("status") or ("all" if request.args.get("all") == "1" else "waiting")
    try:
        return urgent.QueueFilters(site_id=_int_arg("site"), report_type=request.args.get("type") or None,
                                   status=status, page=_page())
    except urgent.BadFilter as exc:
        raise BadRequest(str(exc)) from exc


def _kept_args() -> dict[str, Any]:
    """The filters of the page a form was posted from, to go back to it."""
    return {k: v for k in FILTER_ARGS if (v := request.args.get(k, ""))}


@bp.get("/urgent")
@require_role("admin", "safety_officer")
def urgent_queue() -> ResponseReturnValue:
    """Urgent worker reports, newest first, a page at a time, filtered by site, type and status."""
    f = _queue_filters()
    result = urgent.queue(db.session, f)
    user = signed_in()
    return render_template("dashboard/urgent.html", result=result, f=f, form=AcknowledgeForm(),
                           sites=urgent.worker_sites(db.session), report_types=urgent.report_types(db.session),
                           statuses=urgent.STATUSES, args=_kept_args(),
                           alerts_waiting=drop_alerts.waiting_count(db.session, readable_audiences(user)))


@bp.post("/urgent/<int(signed=True):analysis_id>/acknowledge")
@require_role("admin", "safety_officer")
def urgent_acknowledge(analysis_id: int) -> ResponseReturnValue:
    """Acknowledge an urgent report (it leaves the waiting count), back to the same filtered page."""
    if not AcknowledgeForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    if not urgent.acknowledge(db.session, analysis_id, signed_in()):
        abort(404)
    db.session.commit()
    flash("Report acknowledged.", "info")
    return redirect(url_for("dashboard.urgent_queue", **_kept_args()))


@bp.get("/alerts")
@require_role("admin", "analyst", "safety_officer")
def alerts_inbox() -> ResponseReturnValue:
    """Significant NPS and sentiment drops on the surveys this user may read, newest first."""
    status = request.args.get("status") or "waiting"
    try:
        result = drop_alerts.inbox(db.session, readable_audiences(signed_in()), status, _page())
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return render_template("dashboard/alerts.html", result=result, form=AcknowledgeForm(),
                           statuses=drop_alerts.STATUSES, args=_kept_args())


@bp.post("/alerts/<int(signed=True):alert_id>/acknowledge")
@require_role("admin", "analyst", "safety_officer")
def alert_acknowledge(alert_id: int) -> ResponseReturnValue:
    """Acknowledge a drop alert on a survey this user may read (audited)."""
    if not AcknowledgeForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    alert = drop_alerts.find_drop(db.session, alert_id)
    if alert is None:
        abort(404, description="There is no such alert.")
    user = signed_in()
    if not can_read_audience(user, drop_alerts.audience_of(db.session, alert)):
        abort(403, description="Your role may not read this survey.")
    if drop_alerts.acknowledge(db.session, alert, user):
        db.session.commit()
        flash("Alert acknowledged.", "info")
    else:
        flash("That alert was acknowledged already.", "info")
    return redirect(url_for("dashboard.alerts_inbox", **_kept_args()))
