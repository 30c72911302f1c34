"""Admin: add, edit, move and delete a survey's questions. Every change is validated as the whole definition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

import survey_app.admin.services as svc
from models import Survey
from models.survey import QUESTION_TYPES
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import ActionForm, choices, question_form_class
from survey_app.admin.problem_fields import split_question_problems
from survey_app.admin.question_forms import question_form_data, question_from_form_data
from survey_app.admin.views.common import actor_id, add_field_errors, fill_form, show_problems
from survey_app.auth.access import readable_survey_or_404
from survey_app.extensions import db
from survey_app.surveys import DefinitionError, export_definition


def _question_form(survey: Survey, key: str | None, *, formdata: bool) -> Any:
    form = question_form_class(tuple(survey.languages))(**({} if formdata else {"formdata": None}))
    keys = [q.key for q in survey.questions]
    earlier = keys[: keys.index(key)] if key in keys else keys  # a condition may name only an earlier question
    form.condition_question.choices = choices([("", "(always shown)")] + [(k, k) for k in earlier])
    return form


def _render_question(survey: Survey, form: Any, question: dict[str, Any] | None, problems: list[str],
                     status: int = 200) -> ResponseReturnValue:
    return render_template("admin/question_form.html", form=form, survey=survey, question=question,
                           problems=problems, types=QUESTION_TYPES), status


@bp.get("/surveys/<int:survey_id>/questions/new")
def question_new(survey_id: int) -> ResponseReturnValue:
    """Show the form for a new question."""
    survey = readable_survey_or_404(survey_id)
    form = _question_form(survey, None, formdata=False)
    form.page.data = max((q.page for q in survey.questions), default=1)
    return _render_question(survey, form, None, [])


@bp.get("/surveys/<int:survey_id>/questions/<key>")
def question_edit(survey_id: int, key: str) -> ResponseReturnValue:
    """Edit one question."""
    survey = readable_survey_or_404(survey_id)
    question = next((q for q in export_definition(survey)["questions"] if q["key"] == key), None)
    if question is None:
        abort(404)
    form = _question_form(survey, key, formdata=False)
    fill_form(form, question_form_data(question, survey.languages))
    return _render_question(survey, form, question, [])


@bp.post("/surveys/<int:survey_id>/questions/new", defaults={"key": None})
@bp.post("/surveys/<int:survey_id>/questions/<key>")
def question_save(survey_id: int, key: str | None) -> ResponseReturnValue:
    """Add or update a question; the whole survey is validated as a definition would be."""
    survey = readable_survey_or_404(survey_id)
    keys = [q.key for q in survey.questions]
    if key is not None and key not in keys:
        abort(404)
    form = _question_form(survey, key, formdata=True)
    problems: list[str] = []
    if form.validate_on_submit():
        draft = question_from_form_data(form.data, survey.languages)
        add_field_errors(form, draft.errors)
        question = draft.question
        if key is not None:
            question["key"] = key  # answers are stored against the key: it never changes in the editor
        if not draft.errors:
            try:
                svc.save_question(db.session, survey, question, key, actor_id())
                db.session.commit()
                flash(f"Question {question['key']} saved.", "info")
                return redirect(url_for("admin.survey_edit", survey_id=survey_id) + "#questions")
            except DefinitionError as exc:
                db.session.rollback()
                survey = readable_survey_or_404(survey_id)
                mine, others = split_question_problems(exc.problems, keys.index(key) if key else len(keys))
                problems = show_problems(form, mine) + [str(p) for p in others]
    return _render_question(survey, form, {"key": key} if key else None, problems, 400)


def _question_action_or_400(survey_id: int, key: str) -> Survey:
    survey = readable_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit() or key not in {q.key for q in survey.questions}:
        abort(400)
    return survey


@bp.post("/surveys/<int:survey_id>/questions/<key>/move")
def question_move(survey_id: int, key: str) -> ResponseReturnValue:
    """Move a question up or down."""
    survey = _question_action_or_400(survey_id, key)
    step = -1 if request.form.get("direction") == "up" else 1
    return _apply_or_flash(survey_id, lambda: svc.move_question(db.session, survey, key, step, actor_id()), "Moved.")


@bp.post("/surveys/<int:survey_id>/questions/<key>/delete")
def question_delete(survey_id: int, key: str) -> ResponseReturnValue:
    """Delete a question (refused when it has answers, or another question depends on it)."""
    survey = _question_action_or_400(survey_id, key)
    return _apply_or_flash(survey_id, lambda: svc.delete_question(db.session, survey, key, actor_id()),
                           f"Question {key} deleted.")


def _apply_or_flash(survey_id: int, change: Callable[[], object], done: str) -> ResponseReturnValue:
    try:
        change()
        db.session.commit()
        flash(done, "info")
    except DefinitionError as exc:
        db.session.rollback()
        flash("Not changed: " + "; ".join(str(p) for p in exc.problems), "error")
    return redirect(url_for("admin.survey_edit", survey_id=survey_id) + "#questions")
