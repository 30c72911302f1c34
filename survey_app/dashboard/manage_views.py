"""Objectives and complaint cases: forms → services → one commit → redirect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

import survey_app.dashboard.services as services
from common.periods import label as period_label
from models import Answer, Complaint, Objective, Response, Survey, TextAnalysis, User
from survey_app.analytics import objectives as objective_service
from survey_app.auth.access import can_read_audience, readable_survey_or_404, require_role, signed_in
from survey_app.dashboard.blueprint import bp
from survey_app.dashboard.forms import ComplaintForm, ComplaintOpenForm, ObjectiveForm, options
from survey_app.extensions import db

ROLES = ("admin", "analyst", "safety_officer")


@bp.get("/surveys/<int:survey_id>/objectives")
@require_role(*ROLES)
def objectives(survey_id: int) -> ResponseReturnValue:
    """Objectives of a survey with their on-track status, and a form to add one."""
    survey = readable_survey_or_404(survey_id)
    return _objectives_page(survey, ObjectiveForm())


def _objectives_page(survey: Survey, form: ObjectiveForm, status: int = 200,
                     editing: Objective | None = None) -> ResponseReturnValue:
    rows = [(o, *objective_service.status(db.session, survey, o))
            for o in objective_service.for_survey(db.session, survey.id)]
    return render_template("dashboard/objectives.html", survey=survey, rows=rows, form=form, editing=editing,
                           labels=objective_service.METRIC_LABELS, describe_target=objective_service.describe_target,
                           period_label=period_label), status


@bp.post("/surveys/<int:survey_id>/objectives")
@require_role(*ROLES)
def objective_create(survey_id: int) -> ResponseReturnValue:
    """Add an objective."""
    survey = readable_survey_or_404(survey_id)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _objectives_page(survey, form, 400)
    services.save_objective(db.session, survey, form.data, signed_in())
    db.session.commit()
    flash("Objective saved.", "info")
    return redirect(url_for("dashboard.objectives", survey_id=survey.id))


def _objective_or_404(survey: Survey, objective_id: int) -> Objective:
    obj = db.session.get(Objective, objective_id)
    if obj is None or obj.survey_id != survey.id:
        abort(404)
    return obj


@bp.get("/surveys/<int:survey_id>/objectives/<int:objective_id>")
@require_role(*ROLES)
def objective_edit(survey_id: int, objective_id: int) -> ResponseReturnValue:
    """Edit form for one objective."""
    survey = readable_survey_or_404(survey_id)
    obj = _objective_or_404(survey, objective_id)
    return _objectives_page(survey, ObjectiveForm(obj=obj), editing=obj)


@bp.post("/surveys/<int:survey_id>/objectives/<int:objective_id>")
@require_role(*ROLES)
def objective_update(survey_id: int, objective_id: int) -> ResponseReturnValue:
    """Save an edited objective."""
    survey = readable_survey_or_404(survey_id)
    obj = _objective_or_404(survey, objective_id)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        return _objectives_page(survey, form, 400, editing=obj)
    services.save_objective(db.session, survey, form.data, signed_in(), obj)
    db.session.commit()
    flash("Objective saved.", "info")
    return redirect(url_for("dashboard.objectives", survey_id=survey.id))


def _response_or_404(response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None:
        abort(404)
    if not can_read_audience(signed_in(), response.survey.audience):
        abort(403)
    return response


@bp.get("/complaints")
@require_role("admin", "analyst")
def complaints() -> ResponseReturnValue:
    """Complaint cases, overdue first."""
    cases = db.session.execute(
        select(Complaint, Survey).join(Response, Response.id == Complaint.response_id)
        .join(Survey, Survey.id == Response.survey_id).order_by(Complaint.status, Complaint.response_due)
    ).all()
    owners = {u.id: u.email for u in db.session.scalars(select(User))}
    return render_template("dashboard/complaints.html", cases=cases, owners=owners,
                           overdue=services.is_overdue)


def _case_candidate_or_404(response_id: int) -> Response:
    response = services.case_candidate(db.session, response_id)
    if response is None or not can_read_audience(signed_in(), response.survey.audience):
        page = render_template("error.html", code=404, title="No complaint case here", message=services.NOT_A_CASE)
        abort(make_response(page, 404))
    return response


@bp.get("/complaints/new/<int(signed=True):response_id>")
@require_role("admin", "analyst")
def complaint_new(response_id: int) -> ResponseReturnValue:
    """Confirm opening a case for a consenting customer's response (shows their redacted comment)."""
    response = _case_candidate_or_404(response_id)
    form = ComplaintOpenForm(response_due=datetime.now(UTC).date() + timedelta(days=5))
    return _complaint_new_page(response, form)


def _complaint_new_page(response: Response, form: ComplaintOpenForm, error: str | None = None,
                        status: int = 200) -> ResponseReturnValue:
    texts = db.session.scalars(select(TextAnalysis.redacted_text).join(Answer, Answer.id == TextAnalysis.answer_id)
                               .where(Answer.response_id == response.id)).all()
    return render_template("dashboard/complaint_new.html", response=response, texts=texts, form=form,
                           error=error), status


@bp.post("/complaints/new/<int(signed=True):response_id>")
@require_role("admin", "analyst")
def complaint_create(response_id: int) -> ResponseReturnValue:
    """Open the case."""
    response = _case_candidate_or_404(response_id)
    form = ComplaintOpenForm()
    if not form.validate_on_submit():
        return _complaint_new_page(response, form, status=400)
    try:
        case = services.open_complaint(db.session, response, form.response_due.data, signed_in())
    except services.CaseError as exc:
        return _complaint_new_page(response, form, str(exc), 409)
    db.session.commit()
    flash("Complaint case opened.", "info")
    return redirect(url_for("dashboard.complaint_edit", complaint_id=case.id))


def _case_form(case: Complaint | None = None) -> ComplaintForm:
    form = ComplaintForm(obj=case)
    form.owner_id.choices = options((u.id, u.email) for u in db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(("admin", "analyst"))).order_by(User.email)))
    return form


@bp.get("/complaints/<int:complaint_id>")
@require_role("admin", "analyst")
def complaint_edit(complaint_id: int) -> ResponseReturnValue:
    """One case: status, owner, due date, contact, resolution."""
    case = db.session.get(Complaint, complaint_id) or abort(404)
    response = _response_or_404(case.response_id)
    return _case_page(case, response, _case_form(case))


def _case_page(case: Complaint, response: Response, form: ComplaintForm, status: int = 200) -> ResponseReturnValue:
    texts = db.session.scalars(select(TextAnalysis.redacted_text).join(Answer, Answer.id == TextAnalysis.answer_id)
                               .where(Answer.response_id == response.id)).all()
    return render_template("dashboard/complaint_edit.html", case=case, response=response, texts=texts, form=form,
                           email=services.contact_email(db.session, response),
                           overdue=services.is_overdue(case)), status


@bp.post("/complaints/<int:complaint_id>")
@require_role("admin", "analyst")
def complaint_update(complaint_id: int) -> ResponseReturnValue:
    """Save the case."""
    case = db.session.get(Complaint, complaint_id) or abort(404)
    response = _response_or_404(case.response_id)
    form = _case_form()
    if not form.validate_on_submit():
        return _case_page(case, response, form, 400)
    services.update_complaint(db.session, case, form.data, signed_in())
    db.session.commit()
    flash("Case saved.", "info")
    return redirect(url_for("dashboard.complaint_edit", complaint_id=case.id))
