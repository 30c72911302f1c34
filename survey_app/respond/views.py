"""Respondent pages. GET never changes anything (mail scanners prefetch links); POST moves between pages,
saves a draft (personal links) or submits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

import survey_app.respond.submission as submission
from models import Invitation, SiteLink, Survey
from survey_app.extensions import DatabaseBusy, db
from survey_app.respond.answers import N_, Parsed, Problem, field_names, parse, read_raw
from survey_app.respond.blueprint import DEFINITIONS_KEY, LIMITER_KEY, bp
from survey_app.respond.conditions import Visibility
from survey_app.respond.definitions import DefinitionCache, QuestionDef
from survey_app.respond.forms import RespondForm
from survey_app.respond.i18n import Translator, choose_language, language_choices, ui_language
from survey_app.respond.ratelimit import SubmissionLimiter
from survey_app.respond.rendering import PageView
from survey_app.respond.services import (
    CLOSED,
    FULL,
    NOT_OPEN,
    OPEN,
    AlreadyAnswered,
    invitation_by_token,
    invitation_expired,
    pickers,
    site_link_by_code,
    survey_by_slug,
    survey_status,
)
from survey_app.respond.state import BadState, Draft, draft_from_json, dump_draft, load_draft


@dataclass
class Access:
    """How the respondent reached the survey; decides the form's address and what is pre-filled."""

    survey: Survey
    endpoint: str
    args: dict[str, str]
    invitation: Invitation | None = None
    site_link: SiteLink | None = None
    lang: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, **kw: Any) -> str:
        return url_for(self.endpoint, **self.args, lang=self.lang, **kw)


# Routes -------------------------------------------------------------------------------------------


@bp.get("/s/<slug>")
def survey(slug: str) -> ResponseReturnValue:
    """Show the first page of a survey by its public link."""
    return _show(_public_access(slug))


@bp.post("/s/<slug>")
def survey_submit(slug: str) -> ResponseReturnValue:
    """Move between pages of, or submit, a survey answered by its public link."""
    return _submit(_public_access(slug))


@bp.get("/s/<slug>/thanks")
def thanks(slug: str) -> ResponseReturnValue:
    """Thank-you page after a submission by public link (Post/Redirect/Get)."""
    access = _public_access(slug)
    return _message(access, "thanks", 200, receipt_code=_receipt(access))


@bp.get("/i/<token>")
def invitation(token: str) -> ResponseReturnValue:
    """Show a personal invitation's survey; never consumes the invitation (scanners prefetch links)."""
    access = _invitation_access(token)
    blocked = _invitation_blocked(access)
    if blocked is not None:
        return blocked
    assert access.invitation is not None
    draft = draft_from_json(access.invitation.draft) if _can_save(access) else None
    return _show(access, draft)


@bp.get("/i/<token>/thanks")
def invitation_thanks(token: str) -> ResponseReturnValue:
    """Thank-you page after answering on a personal link (Post/Redirect/Get); the link itself now says
    it was used, which is right for a second visit but not as the answer to sending."""
    access = _invitation_access(token)
    assert access.invitation is not None
    if access.invitation.used_at is None:
        return redirect(url_for("respond.invitation", token=token, lang=access.lang))
    return _message(access, "thanks", 200, receipt_code=_receipt(access))


@bp.post("/i/<token>")
def invitation_submit(token: str) -> ResponseReturnValue:
    """Move between pages, save for later, or submit on a personal invitation (a used or expired link is
    refused in _submit, after a replay of the submission that used it got its thank-you again)."""
    return _submit(_invitation_access(token))


@bp.get("/q/<code>")
def site_link(code: str) -> ResponseReturnValue:
    """Show a worker survey from a site's QR code, with the site filled in."""
    return _show(_site_access(code))


@bp.get("/q/<code>/thanks")
def site_link_thanks(code: str) -> ResponseReturnValue:
    """Thank-you page, with the receipt code, after a report by QR code (Post/Redirect/Get)."""
    access = _site_access(code)
    return _message(access, "thanks", 200, receipt_code=_receipt(access))


@bp.post("/q/<code>")
def site_link_submit(code: str) -> ResponseReturnValue:
    """Move between pages of, or submit, a worker survey reached by QR code."""
    return _submit(_site_access(code))


# Respondent requests read first and write (if at all) in one short transaction at the end (see
# submission.py); on SQLite their reads must not hold the write lock while the page is worked out.
db.reads_first(bp)


@bp.after_request
def _no_store(resp: Any) -> Any:
    # Personal links and shared shop-floor tablets: answers must not linger in caches or history.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(413)
@bp.errorhandler(429)
def _error(exc: HTTPException) -> ResponseReturnValue:
    """Error pages in the respondent's language (a plain 404 for unknown or tampered links)."""
    if isinstance(exc, CSRFError):
        retry = _csrf_retry()
        if retry is not None:
            return retry
    lang = ui_language(request.args.get("lang"), request.accept_languages)
    _ = Translator(lang)
    code = exc.code or 400
    titles = {
        400: (_("Something went wrong"), _("The form could not be read. Please open the link again.")),
        404: (_("Page not found"), _("This link does not exist or is no longer valid.")),
        413: (_("Too much text"), _("What you sent is too large. Please go back, shorten your answers and "
                                    "send them again.")),
        429: (_("Too many answers at once"), _("Please wait a minute, then send your answers again.")),
    }
    title, message = titles.get(code, titles[400])
    return render_template("respond/message.html", _=_, page_lang=lang, title=title, message=message,
                           survey=None, languages=[]), code


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def _database_unavailable(exc: DBAPIError) -> ResponseReturnValue:
    """The database went away while reading (restart, failover): a 503 to try again in a minute.

    A failed write instead shows the form again with what was typed (DatabaseBusy in _submit)."""
    current_app.logger.warning("respondent request failed on the database: %s", type(exc.orig or exc).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is already gone; closing the session at teardown discards it
    lang = ui_language(request.args.get("lang"), request.accept_languages)
    _ = Translator(lang)
    if request.method == "POST" and request.form:
        return _resend_page(_, lang), 503, {"Retry-After": "30"}
    return render_template(
        "respond/message.html", _=_, page_lang=lang, title=_("Temporarily unavailable"),
        message=_("We could not save this right now. Please go back and try again in a minute."),
        survey=None, languages=[],
    ), 503


def _resend_page(_: Translator, lang: str) -> str:
    """What was posted, kept in a form that sends it again as it was, when not even the survey could be
    read (the database restarting or unreachable). Typed text is shown, so it can also be copied."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "nav"]
    typed = [value for name, value in fields
             if name.startswith("q-") and len(value.strip()) > 3 and not value.strip().isdigit()]
    return render_template(
        "respond/resend.html", _=_, page_lang=lang, survey=None, languages=[], fields=fields, typed=typed,
        action=request.full_path.rstrip("?"), nav=request.form.get("nav", "next"),
    )


# Looking up what a link points to -----------------------------------------------------------------

LINK_GUESS_SCOPE = "link-guess"  # unknown tokens and codes share one bucket per client


def _language(survey: Survey, requested: str | None = None) -> str:
    return choose_language(survey.languages or [survey.default_language], survey.default_language,
                           requested or request.args.get("lang"), request.accept_languages)


def _public_access(slug: str) -> Access:
    found = survey_by_slug(db.session, slug)
    if found is None:
        abort(404)
    return Access(found, "respond.survey_submit", {"slug": slug}, lang=_language(found))


def _guessing_links() -> None:
    """429 once a client has tried too many unknown invitation tokens or QR codes (brute force).

    Checked before the lookup, so a client out of tries learns nothing, not even about a right guess.
    """
    limiter: SubmissionLimiter = current_app.extensions[LIMITER_KEY]
    if limiter.exhausted(request.remote_addr or "", LINK_GUESS_SCOPE):
        abort(429)


def _missed_link() -> NoReturn:
    limiter: SubmissionLimiter = current_app.extensions[LIMITER_KEY]
    limiter.allow(request.remote_addr or "", LINK_GUESS_SCOPE)
    abort(404)


def _invitation_access(token: str) -> Access:
    _guessing_links()
    inv = invitation_by_token(db.session, token)
    if inv is None:
        _missed_link()
    return Access(inv.survey, "respond.invitation_submit", {"token": token}, invitation=inv,
                  lang=_language(inv.survey))


def _site_access(code: str) -> Access:
    _guessing_links()
    link = site_link_by_code(db.session, code)
    if link is None:
        _missed_link()
    return Access(link.survey, "respond.site_link_submit", {"code": code}, site_link=link,
                  lang=_language(link.survey))


def _invitation_blocked(access: Access) -> ResponseReturnValue | None:
    inv = access.invitation
    assert inv is not None
    if inv.used_at is not None:
        return _message(access, "used", 200)
    if invitation_expired(inv):
        return _message(access, "expired", 410)
    return None


def _status_page(access: Access) -> ResponseReturnValue | None:
    status = survey_status(db.session, access.survey)
    if status == OPEN:
        return None
    return _message(access, status, 403 if status == NOT_OPEN else 410)


# Showing and submitting -----------------------------------------------------------------------------


def _questions(survey: Survey) -> list[QuestionDef]:
    cache: DefinitionCache = current_app.extensions[DEFINITIONS_KEY]
    return list(cache.questions(db.session, survey))


def _parse(survey: Survey, questions: list[QuestionDef], raw: dict[str, Any]) -> Parsed:
    sites, deps = pickers(db.session, questions)
    return parse(questions, raw, default_language=survey.default_language,
                 site_ids={s.id for s in sites}, department_ids={d.id for d in deps})


def _show(access: Access, draft: Draft | None = None) -> ResponseReturnValue:
    session.pop(RECEIPT_KEY, None)  # a new report begins: the last one's receipt code is not shown again
    blocked = _status_page(access)
    if blocked is not None:
        return blocked
    questions = _questions(access.survey)
    draft = draft or Draft(page=0)
    _prefill_site(access, questions, draft)
    vis = Visibility(questions, _parse(access.survey, questions, draft.raw).values)
    pages = vis.pages()
    page = draft.page if draft.page in pages else (pages[0] if pages else 1)
    return _render(access, questions, draft.at(page), {}, 200)


def _prefill_site(access: Access, questions: list[QuestionDef], draft: Draft) -> None:
    if access.site_link is None:
        return
    for q in questions:
        if q.type == "site":
            draft.raw.setdefault(f"q-{q.key}", str(access.site_link.site_id))


def _submit(access: Access) -> ResponseReturnValue:
    survey = access.survey
    form = RespondForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        draft: Draft | None = load_draft(current_app.secret_key or "", survey.id, form.state.data or "")
    except BadState:
        draft = None
    nav = request.form.get("nav", "next")
    if draft is not None and nav not in ("back", "save") and not request.form.get("switch_lang"):
        # Checked before anything that could have changed since the first send (the link used, the
        # survey closed, the rate limit): a replay gets the thank-you it got then, and stores nothing.
        stored = submission.already_stored(db.session, survey, draft.submission)
        if stored is not None:
            return _thanks(access, stored.receipt_code)
    if draft is None:
        blocked = _invitation_blocked(access) if access.invitation is not None else None
        blocked = blocked or _status_page(access)
        return blocked if blocked is not None else abort(400)
    if access.invitation is not None and access.invitation.used_at is not None:
        return _message(access, "used", 200)  # sent from another tab or device: this copy cannot be
    questions = _questions(survey)
    page = _merge_posted(survey, questions, draft)
    refused = _refused_with_answers(access, questions, draft.at(page))
    if refused is not None:
        return refused

    if (form.homepage.data or "").strip():
        return _thanks(access, None)  # a bot filled the honeypot: pretend, store nothing

    switch = request.form.get("switch_lang")
    if switch:
        access.lang = _language(survey, switch)
        return _render(access, questions, draft.at(page), {}, 200)

    parsed = _parse(survey, questions, draft.raw)
    vis = Visibility(questions, parsed.values)
    if nav == "save" and not _can_save(access):
        # Not offered on anonymous reports (see _can_save); a hand-made "save" stores nothing.
        notice = Translator(access.lang)(SAVE_REFUSED)
        return _render(access, questions, draft.at(page), {}, 400, notice=notice)
    if nav == "save":
        assert access.invitation is not None
        try:
            submission.save_draft(db, survey, access.invitation, draft.at(page))
        except DatabaseBusy:
            return _not_saved(access, questions, draft.at(page))
        return _message(access, "saved", 200)
    step = submission.next_step(vis, parsed, page, nav)
    if step is not None:
        return _render(access, questions, draft.at(step.page), step.problems, 400 if step.problems else 200)

    if not _within_rate_limit(survey):
        notice = Translator(access.lang)(
            "Many answers were sent from your network in the last minutes. Yours are kept below: please "
            "send them again in a minute.")
        body, code = _render(access, questions, draft.at(page), {}, 429, notice=notice)
        return body, code, {"Retry-After": "60"}
    site_id = access.site_link.site_id if access.site_link is not None else None
    answers = submission.Answers(survey, vis.active(), parsed, access.lang, access.invitation, site_id,
                                 submission=draft.submission)
    try:
        stored = submission.submit(db, answers)
    except AlreadyAnswered:
        return _message(access, "used", 200)
    except DatabaseBusy:
        return _not_saved(access, questions, draft.at(page))
    return _thanks(access, stored.receipt_code)


SHARED_ADDRESS_SCALE = 10  # worker surveys: a shop floor reports from one address (NAT, a shared tablet)


def _within_rate_limit(survey: Survey) -> bool:
    """Take one submission from this address's allowance for the survey: its own limit if it has one,
    else the site's, ten times higher on worker surveys."""
    limiter: SubmissionLimiter = current_app.extensions[LIMITER_KEY]
    scale = SHARED_ADDRESS_SCALE if survey.audience == "worker" else 1
    return limiter.allow(request.remote_addr or "", f"survey:{survey.id}", per_minute=survey.rate_limit_per_minute,
                         scale=scale)


def _refused_with_answers(access: Access, questions: list[QuestionDef], draft: Draft) -> ResponseReturnValue | None:
    """The survey closed (or the personal link expired) while the respondent was answering: say so above
    the form with everything typed, so nothing they wrote is lost even though it cannot be sent."""
    status = survey_status(db.session, access.survey)
    if status == OPEN and not (access.invitation is not None and invitation_expired(access.invitation)):
        return None
    kind, code = (status, 403 if status == NOT_OPEN else 410) if status != OPEN else ("expired", 410)
    _ = Translator(access.lang)
    title, message = (_(m) for m in MESSAGES[kind])
    notice = " ".join((title + ".", message, _("What you typed is shown below so that you can keep a copy; "
                                               "it was not sent.")))
    return _render(access, questions, draft, {}, code, notice=notice)


def _not_saved(access: Access, questions: list[QuestionDef], draft: Draft) -> ResponseReturnValue:
    """503 with the form and everything typed: nothing was stored, sending again in a minute will be."""
    current_app.logger.warning("respondent write failed: the database is busy or away")
    notice = Translator(access.lang)(
        "We could not save your answers just now. They are kept below: please send them again in a minute."
    )
    return _render(access, questions, draft, {}, 503, notice=notice)


def _merge_posted(survey: Survey, questions: list[QuestionDef], draft: Draft) -> int:
    """Replace what the posted page owns with what was just posted (an unticked box posts nothing)."""
    vis = Visibility(questions, _parse(survey, questions, draft.raw).values)
    page = draft.page if draft.page in vis.pages() else (vis.pages() or [1])[0]
    current = vis.on_page(page)
    for q in current:
        for name in field_names(q, survey.default_language):
            draft.raw.pop(name, None)
    draft.raw.update(read_raw(current, request.form, survey.default_language))
    return page


def _csrf_retry() -> ResponseReturnValue | None:
    """A missing or stale CSRF cookie (browser restarted, cookie cleared) must not lose a report:
    show the same page again with what was typed and a fresh token, instead of a bare 400."""
    builders = {"respond.survey_submit": lambda a: _public_access(a["slug"]),
                "respond.invitation_submit": lambda a: _invitation_access(a["token"]),
                "respond.site_link_submit": lambda a: _site_access(a["code"])}
    build = builders.get(request.endpoint or "")
    if build is None:
        return None
    try:
        access = build(request.view_args or {})
    except HTTPException:
        return None  # an unknown link: the plain error page, as for any bad request
    questions = _questions(access.survey)
    try:
        draft = load_draft(current_app.secret_key or "", access.survey.id, request.form.get("state", ""))
    except BadState:
        return None
    page = _merge_posted(access.survey, questions, draft)
    notice = Translator(access.lang)(
        "For your security the form had to be reloaded. Your answers are kept: please check them and send again."
    )
    return _render(access, questions, draft.at(page), {}, 400, notice=notice)


RECEIPT_KEY = "heedful.receipt"
THANKS_ENDPOINTS = {"respond.survey_submit": "respond.thanks", "respond.invitation_submit": "respond.invitation_thanks",
                    "respond.site_link_submit": "respond.site_link_thanks"}


def _thanks(access: Access, receipt_code: str | None) -> ResponseReturnValue:
    """Redirect to the thank-you page (Post/Redirect/Get), so a refresh there sends nothing again.

    A worker's receipt code goes to the thank-you page in the signed session cookie: never in a URL
    (browser history, access logs, the Referer) nor in a log line.
    """
    if access.survey.audience == "worker":
        if receipt_code is not None:
            session[RECEIPT_KEY] = {"survey": access.survey.id, "code": receipt_code}
        else:
            session.pop(RECEIPT_KEY, None)
    return redirect(url_for(THANKS_ENDPOINTS[access.endpoint], **access.args, lang=access.lang))


def _receipt(access: Access) -> str | None:
    """The receipt code of the report just sent from this browser, for its thank-you page.

    It stays in the session cookie (which ends with the browser session) until a form is opened again,
    so a refresh still shows it, and the next worker at a shared tablet starts without it."""
    held = session.get(RECEIPT_KEY)
    if access.survey.audience != "worker" or not isinstance(held, dict) or held.get("survey") != access.survey.id:
        return None
    code = held.get("code")
    return code if isinstance(code, str) else None


def _render(
    access: Access, questions: list[QuestionDef], draft: Draft, problems: dict[str, Problem], code: int,
    notice: str | None = None,
) -> ResponseReturnValue:
    survey = access.survey
    _ = Translator(access.lang)
    parsed = _parse(survey, questions, draft.raw)
    vis = Visibility(questions, parsed.values)
    sites, deps = pickers(db.session, questions)
    pages = vis.pages() or [draft.page]
    shown = vis.on_page(draft.page)
    # The draft in the form holds the other pages; this page's answers are in its inputs.
    own = {n for q in shown for n in field_names(q, survey.default_language)}
    state = dump_draft(current_app.secret_key or "", survey.id,
                       Draft(draft.page, {k: v for k, v in draft.raw.items() if k not in own}, draft.submission))
    form = RespondForm(formdata=None, state=state)
    view = PageView(survey, access.lang, draft.raw, problems, vis, sites, deps, _)
    body = render_template(
        "respond/page.html", _=_, page_lang=access.lang, survey=survey, v=view, form=form,
        questions=shown, problems=[(q, view.error(q)) for q in shown if q.key in problems],
        step=pages.index(draft.page) + 1 if draft.page in pages else 1, steps=len(pages),
        has_previous=vis.previous_page(draft.page) is not None,
        is_last=vis.next_page(draft.page) is None, action=access.url(),
        can_save=_can_save(access), languages=language_choices(survey.languages or []),
        started=bool(draft.raw) or draft.page != pages[0], lang_url=_lang_url(access), notice=notice,
    )
    return body, code


SAVE_REFUSED = N_("Saving for later is not offered on anonymous reports, so nothing was stored. "
                  "Send the report when it is complete.")


def _can_save(access: Access) -> bool:
    """Save & resume keeps the draft in the invitation row, beside the address it was sent to and its
    upload columns: fine for a customer, but it would tie a worker's unsent report to their identity."""
    return access.invitation is not None and access.survey.audience != "worker"


def _lang_url(access: Access) -> Any:
    endpoint = {"respond.survey_submit": "respond.survey", "respond.invitation_submit": "respond.invitation",
                "respond.site_link_submit": "respond.site_link"}[access.endpoint]
    return lambda lang: url_for(endpoint, **access.args, lang=lang)


MESSAGES = {
    "thanks": (N_("Thank you!"), N_("Your answers have been saved.")),
    "used": (N_("Thank you!"), N_("This personal link has already been used to answer, so it cannot be used again.")),
    "expired": (N_("This link has expired"), N_("The time for answering with this personal link is over.")),
    CLOSED: (N_("This survey is closed"),
             N_("It is no longer possible to answer this survey. Thank you for your interest.")),
    FULL: (N_("This survey is closed"),
           N_("This survey has received all the answers it needs. Thank you for your interest.")),
    NOT_OPEN: (N_("This survey is not open yet"), N_("Please come back when it opens.")),
    "saved": (N_("Your answers are saved"), N_("Open the same personal link again to carry on where you left off.")),
}


def _message(access: Access, kind: str, code: int, receipt_code: str | None = None) -> ResponseReturnValue:
    survey = access.survey
    _ = Translator(access.lang)
    title, message = (_(m) for m in MESSAGES[kind])
    view = PageView(survey, access.lang, {}, {}, Visibility([], {}), [], [], _)
    if kind == "thanks" and view.survey_text("thanks"):
        message = view.survey_text("thanks")
    opens = survey.opens_at.date().isoformat() if kind == NOT_OPEN and survey.opens_at else None
    return render_template(
        "respond/message.html", _=_, page_lang=access.lang, survey=survey, v=view, title=title,
        message=message, kind=kind, receipt_code=receipt_code, opens=opens,
        languages=language_choices(survey.languages or []) if kind in ("thanks", CLOSED, NOT_OPEN) else [],
        lang_url=_lang_url(access),
    ), code
