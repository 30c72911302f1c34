"""Admin: the survey list, survey settings and texts, and definition files (download and upload)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

import survey_app.admin.services as svc
from models import Survey, Taxonomy
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import ActionForm, DefinitionUploadForm, choices, survey_form_class
from survey_app.admin.survey_forms import INLINE, survey_fields_from_form_data, survey_form_data
from survey_app.admin.views.common import actor_id, fill_form, show_problems
from survey_app.auth.access import readable_survey_or_404
from survey_app.extensions import db
from survey_app.surveys import DefinitionError, dump_definition, export_definition
from survey_app.surveys.store import INLINE_KIND, load_definition


@bp.get("/")
def index() -> ResponseReturnValue:
    """List surveys."""
    surveys = db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    return render_template("admin/index.html", surveys=surveys, counts=svc.survey_counts(db.session),
                           action=ActionForm())


def _taxonomy_choices(survey: Survey | None) -> list[SelectChoice]:
    names = db.session.scalars(select(Taxonomy.name).where(Taxonomy.kind != INLINE_KIND).order_by(Taxonomy.name))
    pairs = [("", "Default for the audience")] + [(n, n) for n in names]
    if survey is not None and survey.taxonomy is not None and survey.taxonomy.kind == INLINE_KIND:
        pairs.insert(1, (INLINE, "Inline topics from the definition file (unchanged)"))
    return choices(pairs)


def _survey_form(survey: Survey | None, *, formdata: bool) -> Any:
    languages = tuple(survey.languages) if survey else ()
    form = survey_form_class(languages)(**({} if formdata else {"formdata": None}))
    form.taxonomy.choices = _taxonomy_choices(survey)
    return form


def _render_survey(survey: Survey | None, form: Any, problems: list[str], status: int = 200) -> ResponseReturnValue:
    languages = tuple(survey.languages) if survey else ()
    return render_template("admin/survey_form.html", form=form, survey=survey, languages=languages,
                           problems=problems, action=ActionForm()), status


@bp.get("/surveys/new")
def survey_new() -> ResponseReturnValue:
    """Show the form for a new survey."""
    return _render_survey(None, _survey_form(None, formdata=False), [])


@bp.post("/surveys/new")
def survey_create() -> ResponseReturnValue:
    """Create a survey (questions are added next)."""
    form = _survey_form(None, formdata=True)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            survey = svc.create_survey(db.session, survey_fields_from_form_data(form.data, ()), actor_id())
            db.session.commit()
            flash(f"Survey {survey.slug} created. Add questions and the texts for each language.", "info")
            return redirect(url_for("admin.survey_edit", survey_id=survey.id))
        except DefinitionError as exc:
            db.session.rollback()
            problems = show_problems(form, exc.problems)
    return _render_survey(None, form, problems, 400)


@bp.get("/surveys/<int:survey_id>")
def survey_edit(survey_id: int) -> ResponseReturnValue:
    """Edit a survey's settings and texts; list its questions."""
    survey = readable_survey_or_404(survey_id)
    form = _survey_form(survey, formdata=False)
    fill_form(form, survey_form_data(survey))
    return _render_survey(survey, form, [])


@bp.post("/surveys/<int:survey_id>")
def survey_update(survey_id: int) -> ResponseReturnValue:
    """Save survey settings and texts."""
    survey = readable_survey_or_404(survey_id)
    form = _survey_form(survey, formdata=True)
    if not form.validate_on_submit():
        return _render_survey(survey, form, [], 400)
    try:
        svc.update_survey(db.session, survey, survey_fields_from_form_data(form.data, survey.languages), actor_id())
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        return _render_survey(readable_survey_or_404(survey_id), form, show_problems(form, exc.problems), 400)
    flash("Survey saved.", "info")
    return redirect(url_for("admin.survey_edit", survey_id=survey_id))


@bp.get("/surveys/<int:survey_id>/definition.<fmt>")
def definition_download(survey_id: int, fmt: str) -> ResponseReturnValue:
    """Download the survey as a definition file."""
    if fmt not in ("yaml", "json"):
        abort(404)
    survey = readable_survey_or_404(survey_id)
    text = dump_definition(export_definition(survey), fmt)
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{survey.slug}.{fmt}"'})


@bp.get("/definitions/upload")
def definition_upload() -> ResponseReturnValue:
    """Show the definition upload form."""
    return render_template("admin/upload.html", form=DefinitionUploadForm(), problems=[])


def _upload_format(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    return "yaml" if name.endswith((".yaml", ".yml")) else "auto"


@bp.post("/definitions/upload")
def definition_upload_submit() -> ResponseReturnValue:
    """Import an uploaded definition; every problem is listed with its line, nothing is half-imported."""
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form, problems=[]), 400
    upload = form.file.data
    name = upload.filename or "upload"
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = ["The file is not UTF-8 text."]
        return render_template("admin/upload.html", form=form, problems=[]), 400
    try:
        survey = load_definition(db.session, text, fmt=_upload_format(name), source=name,
                                 replace=bool(form.replace.data), actor_id=actor_id())
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        return render_template("admin/upload.html", form=form, problems=exc.problems, source=name), 400
    flash(f"Imported {survey.slug} ({len(survey.questions)} questions).", "info")
    return redirect(url_for("admin.survey_edit", survey_id=survey.id))
