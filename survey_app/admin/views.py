"""Admin views: thin, each validates a form, calls a service, commits once and redirects."""

from __future__ import annotations

import re
from typing import Any

import yaml
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import Department, Site, Survey, Taxonomy
from models.settings import Settings
from models.survey import QUESTION_TYPES
from survey_app.admin import bp
from survey_app.admin import services as svc
from survey_app.admin.forms import (
    ActionForm,
    DefinitionUploadForm,
    InvitationUploadForm,
    OrgUnitForm,
    RenameForm,
    question_form_class,
    survey_form_class,
)
from survey_app.admin.forms import choices as select_choices
from survey_app.auth.access import current_user, require_role
from survey_app.distribution.invitations import (
    InvitationImportError,
    create_invitations,
    parse_invitation_csv,
)
from survey_app.distribution.mailer import MailError, SmtpMailer
from survey_app.distribution.qr import (
    ensure_site_links,
    get_site_link,
    poster_lines,
    qr_png,
    qr_svg,
    site_link_url,
)
from survey_app.distribution.sending import send_all
from survey_app.distribution.stats import response_rates
from survey_app.extensions import db
from survey_app.surveys import DefinitionError, dump_definition, export_definition
from survey_app.surveys.errors import Problem
from survey_app.surveys.schema import CHOICE_TYPES
from survey_app.surveys.source import read_source
from survey_app.surveys.store import INLINE_KIND, load_definition


@bp.before_request
@require_role("admin")
def _admins_only() -> None:
    """Every admin URL is for admins: denied by default, whatever a view forgets."""


def _actor() -> int | None:
    user = current_user()
    return user.id if user else None


def _settings() -> Settings:
    settings: Settings = current_app.config["HEEDFUL"]
    return settings


def get_survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    return survey


# --- surveys -----------------------------------------------------------------------------------


@bp.get("/")
def index() -> ResponseReturnValue:
    """List surveys."""
    surveys = db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    return render_template("admin/index.html", surveys=surveys, counts=svc.survey_counts(db.session),
                           action=ActionForm())


def _taxonomy_choices(survey: Survey | None) -> list[SelectChoice]:
    names = db.session.scalars(select(Taxonomy.name).where(Taxonomy.kind != INLINE_KIND).order_by(Taxonomy.name))
    choices = [("", "Default for the audience")] + [(n, n) for n in names]
    if survey is not None and survey.taxonomy is not None and survey.taxonomy.kind == INLINE_KIND:
        choices.insert(1, ("__inline__", "Inline topics from the definition file (unchanged)"))
    return select_choices(choices)


def _survey_fields(form: Any, languages: tuple[str, ...]) -> dict[str, Any]:
    langs = [x.strip() for x in (form.languages.data or "").split(",") if x.strip()]
    fields: dict[str, Any] = {
        "slug": (form.slug.data or "").strip(), "title": form.title.data, "audience": form.audience.data,
        "languages": langs, "default_language": (form.default_language.data or "").strip(),
        "opens_at": (form.opens_at.data or "").strip() or None,
        "closes_at": (form.closes_at.data or "").strip() or None,
        "response_cap": form.response_cap.data, "min_group_size": form.min_group_size.data,
        "min_comment_group_size": form.min_comment_group_size.data,
    }
    texts: dict[str, dict[str, str]] = {}
    for lang in languages:
        entry = {k: getattr(form, f"text_{k}_{lang}").data or "" for k in ("title", "intro", "thanks")}
        texts[lang] = {k: v for k, v in entry.items() if v.strip()}
    fields["texts"] = texts
    return fields


def _show_problems(form: Any, problems: list[Problem]) -> list[str]:
    """Put each problem on its form field when there is one; return the rest for the top of the form."""
    rest: list[str] = []
    for p in problems:
        name = _form_field_for(p.field)
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, p.message]
        else:
            rest.append(str(p))
    return rest


def _form_field_for(path: str) -> str | None:
    m = re.match(r"^texts\.([A-Za-z0-9-]+)\.(title|intro|thanks)", path)
    if m:
        return f"text_{m.group(2)}_{m.group(1)}"
    m = re.match(r"^questions\[\d+\]\.texts\.([A-Za-z0-9-]+)\.(label|help|options|statements)", path)
    if m:
        kind = {"label": "label", "help": "help"}.get(m.group(2), "labels")
        return f"{kind}_{m.group(1)}"
    m = re.match(r"^questions\[\d+\]\.(key|type|required|page|options|settings|condition)", path)
    if m:
        return "condition_question" if m.group(1) == "condition" else m.group(1)
    m = re.match(r"^(slug|title|audience|languages|default_language|opens_at|closes_at|response_cap|"
                 r"min_group_size|min_comment_group_size|taxonomy)", path)
    return m.group(1) if m else None


@bp.get("/surveys/new")
def survey_new() -> ResponseReturnValue:
    """Show the form for a new survey."""
    form = survey_form_class(())()
    form.taxonomy.choices = _taxonomy_choices(None)
    return render_template("admin/survey_form.html", form=form, survey=None, languages=(), problems=[])


@bp.post("/surveys/new")
def survey_create() -> ResponseReturnValue:
    """Create a survey (questions are added next)."""
    form = survey_form_class(())()
    form.taxonomy.choices = _taxonomy_choices(None)
    problems: list[str] = []
    if form.validate_on_submit():
        fields = _survey_fields(form, ())
        fields.pop("texts")
        fields["taxonomy"] = form.taxonomy.data or None
        try:
            survey = svc.create_survey(db.session, fields, _actor())
            db.session.commit()
            flash(f"Survey {survey.slug} created. Add questions and the texts for each language.", "info")
            return redirect(url_for("admin.survey_edit", survey_id=survey.id))
        except DefinitionError as exc:
            db.session.rollback()
            problems = _show_problems(form, exc.problems)
    return render_template("admin/survey_form.html", form=form, survey=None, languages=(), problems=problems), 400


def _fill_survey_form(form: Any, survey: Survey) -> None:
    form.slug.data, form.title.data, form.audience.data = survey.slug, survey.title, survey.audience
    form.languages.data = ", ".join(survey.languages)
    form.default_language.data = survey.default_language
    form.opens_at.data = survey.opens_at.strftime("%Y-%m-%dT%H:%M") if survey.opens_at else ""
    form.closes_at.data = survey.closes_at.strftime("%Y-%m-%dT%H:%M") if survey.closes_at else ""
    form.response_cap.data = survey.response_cap
    form.min_group_size.data = survey.min_group_size
    form.min_comment_group_size.data = survey.min_comment_group_size
    tax = survey.taxonomy
    form.taxonomy.data = "" if tax is None else ("__inline__" if tax.kind == INLINE_KIND else tax.name)
    for lang in survey.languages:
        for key in ("title", "intro", "thanks"):
            getattr(form, f"text_{key}_{lang}").data = (survey.texts.get(lang) or {}).get(key, "")


def _render_survey(survey: Survey, form: Any, problems: list[str], status: int = 200) -> ResponseReturnValue:
    return render_template("admin/survey_form.html", form=form, survey=survey, languages=tuple(survey.languages),
                           problems=problems, action=ActionForm()), status


@bp.get("/surveys/<int:survey_id>")
def survey_edit(survey_id: int) -> ResponseReturnValue:
    """Edit a survey's settings and texts; list its questions."""
    survey = get_survey_or_404(survey_id)
    form = survey_form_class(tuple(survey.languages))(formdata=None)
    form.taxonomy.choices = _taxonomy_choices(survey)
    _fill_survey_form(form, survey)
    return _render_survey(survey, form, [])


@bp.post("/surveys/<int:survey_id>")
def survey_update(survey_id: int) -> ResponseReturnValue:
    """Save survey settings and texts."""
    survey = get_survey_or_404(survey_id)
    languages = tuple(survey.languages)
    form = survey_form_class(languages)()
    form.taxonomy.choices = _taxonomy_choices(survey)
    if not form.validate_on_submit():
        return _render_survey(survey, form, [], 400)
    fields = _survey_fields(form, languages)
    if form.taxonomy.data != "__inline__":
        fields["taxonomy"] = form.taxonomy.data or None
    try:
        svc.update_survey(db.session, survey, fields, _actor())
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        survey = get_survey_or_404(survey_id)
        return _render_survey(survey, form, _show_problems(form, exc.problems), 400)
    flash("Survey saved.", "info")
    return redirect(url_for("admin.survey_edit", survey_id=survey_id))


# --- questions ---------------------------------------------------------------------------------


def _question_form(survey: Survey, formdata: bool) -> Any:
    form = question_form_class(tuple(survey.languages))(**({} if formdata else {"formdata": None}))
    return form


def _condition_choices(survey: Survey, key: str | None) -> list[SelectChoice]:
    keys = [q.key for q in survey.questions]
    earlier = keys[: keys.index(key)] if key in keys else keys
    return select_choices([("", "(always shown)")] + [(k, k) for k in earlier])


def _fill_question_form(form: Any, survey: Survey, q: dict[str, Any]) -> None:
    form.key.data, form.type.data, form.required.data, form.page.data = q["key"], q["type"], q["required"], q["page"]
    form.options.data = "\n".join(q["options"])
    settings = q["settings"]
    form.settings.data = yaml.safe_dump(settings, sort_keys=False, allow_unicode=True).strip() if settings else ""
    cond = q["condition"] or {}
    form.condition_question.data = cond.get("question", "")
    form.condition_values.data = ", ".join(str(v) for v in cond.get("in", []))
    for lang in survey.languages:
        t = q["texts"].get(lang, {})
        getattr(form, f"label_{lang}").data = t.get("label", "")
        getattr(form, f"help_{lang}").data = t.get("help", "")
        labels = {**t.get("options", {}), **t.get("statements", {})}
        getattr(form, f"labels_{lang}").data = "\n".join(f"{k} = {v}" for k, v in labels.items())


def _question_from_form(form: Any, survey: Survey) -> tuple[dict[str, Any], list[str]]:
    """Build the definition entry for a question; problems that only the form can have are returned."""
    problems: list[str] = []
    options = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
    settings: Any = {}
    if (form.settings.data or "").strip():
        try:
            settings, _, read_problems = read_source(form.settings.data, "yaml", "settings")
        except DefinitionError as exc:
            read_problems = exc.problems
        if read_problems:
            form.settings.errors = [*form.settings.errors, *(str(p) for p in read_problems)]
            problems.append("settings")
    statements = settings.get("statements") if isinstance(settings, dict) else None
    texts: dict[str, Any] = {}
    for lang in survey.languages:
        entry: dict[str, Any] = {"label": getattr(form, f"label_{lang}").data or ""}
        help_text = (getattr(form, f"help_{lang}").data or "").strip()
        if help_text:
            entry["help"] = help_text
        for line in (getattr(form, f"labels_{lang}").data or "").splitlines():
            if not line.strip():
                continue
            value, sep, label = line.partition("=")
            if not sep:
                getattr(form, f"labels_{lang}").errors.append(f"write 'value = label', not {line.strip()!r}")
                problems.append(f"labels_{lang}")
                continue
            group = "statements" if isinstance(statements, list) and value.strip() in map(str, statements) \
                else "options"
            entry.setdefault(group, {})[value.strip()] = label.strip()
        texts[lang] = entry
    condition = None
    if form.condition_question.data:
        values = [v.strip() for v in (form.condition_values.data or "").split(",") if v.strip()]
        condition = {"question": form.condition_question.data, "in": values}
    question = {"key": (form.key.data or "").strip(), "type": form.type.data, "required": bool(form.required.data),
                "page": form.page.data, "options": options if form.type.data in CHOICE_TYPES else options or None,
                "settings": settings, "condition": condition, "texts": texts}
    return question, problems


@bp.get("/surveys/<int:survey_id>/questions/new")
def question_new(survey_id: int) -> ResponseReturnValue:
    """Show the form for a new question."""
    survey = get_survey_or_404(survey_id)
    form = _question_form(survey, formdata=False)
    form.condition_question.choices = _condition_choices(survey, None)
    last_page = max((q.page for q in survey.questions), default=1)
    form.page.data = last_page
    return render_template("admin/question_form.html", form=form, survey=survey, question=None, problems=[],
                           types=QUESTION_TYPES)


@bp.get("/surveys/<int:survey_id>/questions/<key>")
def question_edit(survey_id: int, key: str) -> ResponseReturnValue:
    """Edit one question."""
    survey = get_survey_or_404(survey_id)
    definition = export_definition(survey)
    q = next((q for q in definition["questions"] if q["key"] == key), None)
    if q is None:
        abort(404)
    form = _question_form(survey, formdata=False)
    form.condition_question.choices = _condition_choices(survey, key)
    _fill_question_form(form, survey, q)
    return render_template("admin/question_form.html", form=form, survey=survey, question=q, problems=[],
                           types=QUESTION_TYPES)


@bp.post("/surveys/<int:survey_id>/questions/new", defaults={"key": None})
@bp.post("/surveys/<int:survey_id>/questions/<key>")
def question_save(survey_id: int, key: str | None) -> ResponseReturnValue:
    """Add or update a question; the whole survey is validated as a definition would be."""
    survey = get_survey_or_404(survey_id)
    if key is not None and key not in {q.key for q in survey.questions}:
        abort(404)
    form = _question_form(survey, formdata=True)
    form.condition_question.choices = _condition_choices(survey, key)
    problems: list[str] = []
    if form.validate_on_submit():
        question, form_problems = _question_from_form(form, survey)
        if key is not None:
            question["key"] = key  # answers are stored against the key: it never changes in the editor
        if not form_problems:
            index = [q.key for q in survey.questions].index(key) if key else len(survey.questions)
            try:
                svc.save_question(db.session, survey, question, key, _actor())
                db.session.commit()
                flash(f"Question {question['key']} saved.", "info")
                return redirect(url_for("admin.survey_edit", survey_id=survey_id) + "#questions")
            except DefinitionError as exc:
                db.session.rollback()
                survey = get_survey_or_404(survey_id)
                mine = svc.question_problems(exc.problems, index)
                others = [p for p in exc.problems if p not in mine]
                problems = _show_problems(form, mine) + [str(p) for p in others]
    return render_template("admin/question_form.html", form=form, survey=survey, question={"key": key} if key else None,
                           problems=problems, types=QUESTION_TYPES), 400


@bp.post("/surveys/<int:survey_id>/questions/<key>/move")
def question_move(survey_id: int, key: str) -> ResponseReturnValue:
    """Move a question up or down."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit() or key not in {q.key for q in survey.questions}:
        abort(400)
    step = -1 if request.form.get("direction") == "up" else 1
    return _apply_or_flash(survey, lambda: svc.move_question(db.session, survey, key, step, _actor()), "Moved.")


@bp.post("/surveys/<int:survey_id>/questions/<key>/delete")
def question_delete(survey_id: int, key: str) -> ResponseReturnValue:
    """Delete a question (refused when it has answers, or another question depends on it)."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit() or key not in {q.key for q in survey.questions}:
        abort(400)
    return _apply_or_flash(survey, lambda: svc.delete_question(db.session, survey, key, _actor()),
                           f"Question {key} deleted.")


def _apply_or_flash(survey: Survey, change: Any, done: str) -> ResponseReturnValue:
    survey_id = survey.id
    try:
        change()
        db.session.commit()
        flash(done, "info")
    except DefinitionError as exc:
        db.session.rollback()
        flash("Not changed: " + "; ".join(str(p) for p in exc.problems), "error")
    return redirect(url_for("admin.survey_edit", survey_id=survey_id) + "#questions")


# --- definition files --------------------------------------------------------------------------


@bp.get("/surveys/<int:survey_id>/definition.<fmt>")
def definition_download(survey_id: int, fmt: str) -> ResponseReturnValue:
    """Download the survey as a definition file."""
    if fmt not in ("yaml", "json"):
        abort(404)
    survey = get_survey_or_404(survey_id)
    text = dump_definition(export_definition(survey), fmt)
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{survey.slug}.{fmt}"'})


@bp.get("/definitions/upload")
def definition_upload() -> ResponseReturnValue:
    """Show the definition upload form."""
    return render_template("admin/upload.html", form=DefinitionUploadForm(), problems=[])


@bp.post("/definitions/upload")
def definition_upload_submit() -> ResponseReturnValue:
    """Import an uploaded definition; every problem is listed with its line, nothing is half-imported."""
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form, problems=[]), 400
    upload = form.file.data
    name = upload.filename or "upload"
    fmt = "json" if name.lower().endswith(".json") else ("yaml" if name.lower().endswith((".yaml", ".yml"))
                                                          else "auto")
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = ["The file is not UTF-8 text."]
        return render_template("admin/upload.html", form=form, problems=[]), 400
    try:
        survey = load_definition(db.session, text, fmt=fmt, source=name, replace=bool(form.replace.data),
                                 actor_id=_actor())
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        return render_template("admin/upload.html", form=form, problems=exc.problems, source=name), 400
    flash(f"Imported {survey.slug} ({len(survey.questions)} questions).", "info")
    return redirect(url_for("admin.survey_edit", survey_id=survey.id))


# --- sites and departments ---------------------------------------------------------------------


def _org_kind(kind: str) -> type[Site] | type[Department]:
    if kind not in svc.ORG_MODELS:
        abort(404)
    return svc.ORG_MODELS[kind]


def _render_org(kind: str, form: OrgUnitForm, status: int = 200) -> ResponseReturnValue:
    model = _org_kind(kind)
    units = db.session.scalars(select(model).order_by(model.name)).all()
    return render_template("admin/org.html", kind=kind, units=units, form=form, rename=RenameForm(formdata=None),
                           action=ActionForm()), status


@bp.get("/<any(sites, departments):kind>")
def org_list(kind: str) -> ResponseReturnValue:
    """List sites or departments."""
    return _render_org(kind, OrgUnitForm(formdata=None))


@bp.post("/<any(sites, departments):kind>")
def org_add(kind: str) -> ResponseReturnValue:
    """Add a site or department."""
    form = OrgUnitForm()
    if not form.validate_on_submit():
        return _render_org(kind, form, 400)
    try:
        svc.add_org_unit(db.session, kind, (form.code.data or "").strip(), (form.name.data or "").strip(), _actor())
        db.session.commit()
    except svc.OrgError as exc:
        db.session.rollback()
        form.code.errors = [str(exc)]
        return _render_org(kind, form, 400)
    flash("Added.", "info")
    return redirect(url_for("admin.org_list", kind=kind))


@bp.post("/<any(sites, departments):kind>/<int:unit_id>")
def org_rename(kind: str, unit_id: int) -> ResponseReturnValue:
    """Rename a site or department."""
    unit = db.session.get(_org_kind(kind), unit_id) or abort(404)
    form = RenameForm()
    if not form.validate_on_submit():
        flash("Not renamed: " + "; ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("admin.org_list", kind=kind))
    svc.rename_org_unit(db.session, unit, (form.name.data or "").strip(), _actor())
    db.session.commit()
    flash("Renamed.", "info")
    return redirect(url_for("admin.org_list", kind=kind))


@bp.post("/<any(sites, departments):kind>/<int:unit_id>/delete")
def org_delete(kind: str, unit_id: int) -> ResponseReturnValue:
    """Delete a site or department that no response names."""
    unit = db.session.get(_org_kind(kind), unit_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.delete_org_unit(db.session, unit, _actor())
        db.session.commit()
        flash("Deleted.", "info")
    except svc.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("admin.org_list", kind=kind))


# --- distribution ------------------------------------------------------------------------------


def _render_distribution(survey: Survey, form: InvitationUploadForm, problems: list[str],
                         status: int = 200) -> ResponseReturnValue:
    from models import SiteLink

    links = db.session.scalars(select(SiteLink).where(SiteLink.survey_id == survey.id)).all()
    base = _settings().base_url
    return render_template(
        "admin/distribution.html", survey=survey, form=form, problems=problems, action=ActionForm(),
        rates=response_rates(db.session, survey.id), links=sorted(links, key=lambda x: x.site.name.lower()),
        public_url=f"{base}/s/{survey.slug}", link_url=lambda code: site_link_url(base, code),
        smtp_ready=bool(_settings().smtp_host)), status


@bp.get("/surveys/<int:survey_id>/distribution")
def distribution(survey_id: int) -> ResponseReturnValue:
    """Links, invitations, reminders, response rates and QR posters of one survey."""
    return _render_distribution(get_survey_or_404(survey_id), InvitationUploadForm(formdata=None), [])


@bp.post("/surveys/<int:survey_id>/invitations")
def invitations_upload(survey_id: int) -> ResponseReturnValue:
    """Create invitations from a CSV upload: all rows or none; optionally send them."""
    survey = get_survey_or_404(survey_id)
    form = InvitationUploadForm()
    if not form.validate_on_submit():
        return _render_distribution(survey, form, [], 400)
    try:
        rows = parse_invitation_csv(form.file.data.read())
        created = create_invitations(db.session, survey, rows, expires_days=form.expires_days.data,
                                     actor_id=_actor())
        db.session.commit()
    except InvitationImportError as exc:
        db.session.rollback()
        return _render_distribution(get_survey_or_404(survey_id), form, exc.problems, 400)
    flash(f"Created {len(created)} invitations.", "info")
    if form.send.data:
        _send(survey, reminder=False)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/send")
def invitations_send(survey_id: int) -> ResponseReturnValue:
    """Email the invitations not sent yet."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _send(survey, reminder=False)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/remind")
def invitations_remind(survey_id: int) -> ResponseReturnValue:
    """Email one reminder to each invitee who has not answered yet."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _send(survey, reminder=True)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


def _send(survey: Survey, *, reminder: bool) -> None:
    what = "reminders" if reminder else "invitations"
    try:
        with SmtpMailer(_settings()) as mailer:
            result = send_all(db.session, survey, mailer, _settings().base_url, reminder=reminder,
                              commit=db.session.commit)
    except MailError as exc:
        flash(f"No {what} sent: {exc}", "error")
        return
    flash(f"Sent {result.sent} {what}.", "info")
    if result.failed:
        flash(f"Not sent to {len(result.failed)}: " + "; ".join(f"{e} ({r})" for e, r in result.failed[:10]),
              "error")
    if result.aborted:
        flash(f"Stopped: {result.aborted}. Send again to continue.", "error")


@bp.post("/surveys/<int:survey_id>/site-links")
def site_links_create(survey_id: int) -> ResponseReturnValue:
    """Create a QR link for every site that has none for this survey."""
    survey = get_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    links = ensure_site_links(db.session, survey)
    db.session.commit()
    flash(f"{len(links)} site links ready.", "info")
    return redirect(url_for("admin.distribution", survey_id=survey_id) + "#sites")


def _site_link_or_404(survey_id: int, site_code: str) -> tuple[Survey, str]:
    survey = get_survey_or_404(survey_id)
    link = get_site_link(db.session, survey_id, site_code)
    if link is None:
        abort(404)
    return survey, site_link_url(_settings().base_url, link.code)


@bp.get("/surveys/<int:survey_id>/poster/<site_code>")
def poster(survey_id: int, site_code: str) -> ResponseReturnValue:
    """A printable A4 poster with the site's QR code and instructions in the survey's languages."""
    survey, url = _site_link_or_404(survey_id, site_code)
    link = get_site_link(db.session, survey_id, site_code)
    assert link is not None
    return render_template("admin/poster.html", survey=survey, site=link.site, url=url, lines=poster_lines(survey),
                           page_lang=survey.default_language)


@bp.get("/surveys/<int:survey_id>/qr/<site_code>.<fmt>")
def qr_image(survey_id: int, site_code: str, fmt: str) -> ResponseReturnValue:
    """The site's QR code as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)
    _survey, url = _site_link_or_404(survey_id, site_code)
    if fmt == "svg":
        return Response(qr_svg(url), mimetype="image/svg+xml")
    return Response(qr_png(url), mimetype="image/png")
