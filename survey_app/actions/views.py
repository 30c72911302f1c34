"""Corrective actions (signed-in), the reporter's receipt page and "you said, we did" (public)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

import survey_app.actions.services as services
from models import CorrectiveAction, Site, Survey, User
from survey_app.actions.blueprint import bp
from survey_app.actions.forms import ActionForm, ReceiptForm
from survey_app.actions.ratelimit import receipt_limiter
from survey_app.auth.access import can_read_audience, readable_survey_or_404, require_role, signed_in
from survey_app.dashboard.forms import options
from survey_app.extensions import db

ROLES = ("admin", "analyst", "safety_officer")


def _form(action: CorrectiveAction | None = None, **defaults: object) -> ActionForm:
    form = ActionForm(obj=action, **defaults)
    if action is not None and request.method == "GET":
        form.effective.data = {True: "yes", False: "no"}.get(action.effective, "")  # type: ignore[arg-type]
    form.owner_id.choices = options([(0, "— nobody yet —")] + [
        (u.id, f"{u.email} ({u.role})")
        for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.email))
    ])
    form.site_id.choices = options([(0, "— no site —")] + [
        (s.id, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))
    ])
    return form


def _survey_or_none(raw: object) -> Survey | None:
    """The readable survey a form or query names, None when it names none."""
    if raw in (None, "", "None"):
        return None
    try:
        survey_id = int(str(raw))
    except ValueError:
        abort(400, description="survey_id must be a number")
    return readable_survey_or_404(survey_id)


def _action_or_404(action_id: int) -> CorrectiveAction:
    action = db.session.get(CorrectiveAction, action_id)
    if action is None:
        abort(404)
    if not services.can_read(db.session, signed_in(), action):
        abort(403)
    return action


@bp.get("/actions")
@require_role(*ROLES)
def index() -> ResponseReturnValue:
    """Corrective actions the user may see, open ones first."""
    status = request.args.get("status", "open")
    if status not in ("open", "closed", "all"):
        abort(400, description="status must be open, closed or all")
    actions = services.visible_actions(db.session, signed_in(), None if status == "all" else status)
    surveys = {s.id: s.title for s in db.session.scalars(select(Survey))}
    return render_template("actions/index.html", actions=actions, status=status, surveys=surveys)


@bp.get("/actions/new")
@require_role(*ROLES)
def new() -> ResponseReturnValue:
    """A new action, pre-filled from the topic, alert or comment it answers."""
    a = request.args
    survey = _survey_or_none(a.get("survey_id"))
    source = a.get("source_type", "topic")
    topic = a.get("topic", "")[:120]
    title = {"topic": f"Improve: {topic}" if topic else "", "alert": "Respond to urgent report",
             "comment": f"Follow up comment on {topic}" if topic else "Follow up a comment"}.get(source, "")
    form = _form(source_type=source, source_ref=a.get("source_ref", "")[:200], topic=topic, title=title,
                 survey_id=survey.id if survey else "", response_id=a.get("response_id", "")[:20])
    return render_template("actions/edit.html", form=form, action=None, survey=survey)


@bp.post("/actions/new")
@require_role(*ROLES)
def create() -> ResponseReturnValue:
    """Create the action and link the anonymous report it answers."""
    form = _form()
    survey = _survey_or_none(form.survey_id.data)
    if not form.validate_on_submit():
        return render_template("actions/edit.html", form=form, action=None, survey=survey), 400
    rid = form.response_id.data
    report = services.response_for_source(db.session, form.source_ref.data,
                                          services.parse_id(rid))
    if report is not None and not can_read_audience(signed_in(), report.survey.audience):
        abort(403)
    try:
        action = services.create_action(db.session, form.data, signed_in(), survey, report)
    except services.ActionError as exc:
        form.title.errors.append(str(exc))  # type: ignore[attr-defined]
        return render_template("actions/edit.html", form=form, action=None, survey=survey), 400
    db.session.commit()
    flash("Action created.", "info")
    return redirect(url_for("actions.edit", action_id=action.id))


@bp.get("/actions/<int:action_id>")
@require_role(*ROLES)
def edit(action_id: int) -> ResponseReturnValue:
    """One action: owner, due date, status, effectiveness, evidence, public note."""
    action = _action_or_404(action_id)
    survey = db.session.get(Survey, action.survey_id) if action.survey_id else None
    return render_template("actions/edit.html", form=_form(action), action=action, survey=survey,
                           reports=services.linked_reports(db.session, action.id))


@bp.post("/actions/<int:action_id>")
@require_role(*ROLES)
def update(action_id: int) -> ResponseReturnValue:
    """Save the action."""
    action = _action_or_404(action_id)
    form = _form()
    if not form.validate_on_submit():
        survey = db.session.get(Survey, action.survey_id) if action.survey_id else None
        return render_template("actions/edit.html", form=form, action=action, survey=survey,
                               reports=services.linked_reports(db.session, action.id)), 400
    services.update_action(db.session, action, form.data, signed_in())
    db.session.commit()
    flash("Action saved.", "info")
    return redirect(url_for("actions.edit", action_id=action.id))


@bp.after_request
def _no_store(resp: Response) -> Response:
    """Receipt answers must not linger in shared caches or the browser history cache."""
    if request.endpoint in ("actions.receipt", "actions.receipt_submit"):
        resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/receipt")
def receipt() -> ResponseReturnValue:
    """Public: the form where a reporter enters their receipt code."""
    return render_template("actions/receipt.html", form=ReceiptForm(), result=None, searched=False)


@bp.post("/receipt")
def receipt_submit() -> ResponseReturnValue:
    """Public: the status of the actions linked to a receipt code; rate-limited, reveals nothing else."""
    if not receipt_limiter().allow(request.remote_addr or "unknown"):
        return render_template("actions/receipt.html", form=ReceiptForm(), result=None, searched=False,
                               limited=True), 429
    form = ReceiptForm()
    if not form.validate_on_submit():
        return render_template("actions/receipt.html", form=form, result=None, searched=False), 400
    result = services.receipt_status(db.session, form.code.data or "")
    form.code.data = ""  # do not echo the code back into the page
    return render_template("actions/receipt.html", form=form, result=result, searched=True), 200


@bp.get("/sites/<code>/you-said-we-did")
def you_said_we_did(code: str) -> ResponseReturnValue:
    """Public: closed actions with their public notes for one site."""
    found = services.you_said_we_did(db.session, code[:40])
    if found is None:
        abort(404)
    site, actions = found
    return render_template("actions/you_said_we_did.html", site=site, actions=actions)
