"""Admin: how a survey reaches people: invitations and reminders by e-mail, site QR posters, response rates."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from common.mail import Mailer, MailError
from models import SiteLink, Survey
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import ActionForm, InvitationUploadForm
from survey_app.admin.views.common import actor_id, settings
from survey_app.auth.access import readable_survey_or_404
from survey_app.distribution.invitations import InvitationImportError, create_invitations, parse_invitation_csv
from survey_app.distribution.qr import ensure_site_links, get_site_link, poster_lines, qr_png, qr_svg, site_link_url
from survey_app.distribution.sending import send_all
from survey_app.distribution.stats import response_rates
from survey_app.extensions import db


def _render_distribution(survey: Survey, form: InvitationUploadForm, problems: list[str],
                         status: int = 200) -> ResponseReturnValue:
    links = db.session.scalars(select(SiteLink).where(SiteLink.survey_id == survey.id)).all()
    base = settings().base_url
    return render_template(
        "admin/distribution.html", survey=survey, form=form, problems=problems, action=ActionForm(),
        rates=response_rates(db.session, survey.id), links=sorted(links, key=lambda x: x.site.name.lower()),
        public_url=f"{base}/s/{survey.slug}", link_url=lambda code: site_link_url(base, code),
        smtp_ready=bool(settings().smtp_host)), status


def _survey_for_action_or_400(survey_id: int) -> Survey:
    survey = readable_survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return survey


@bp.get("/surveys/<int:survey_id>/distribution")
def distribution(survey_id: int) -> ResponseReturnValue:
    """Links, invitations, reminders, response rates and QR posters of one survey."""
    return _render_distribution(readable_survey_or_404(survey_id), InvitationUploadForm(formdata=None), [])


@bp.post("/surveys/<int:survey_id>/invitations")
def invitations_upload(survey_id: int) -> ResponseReturnValue:
    """Create invitations from a CSV upload: all rows or none; optionally send them."""
    survey = readable_survey_or_404(survey_id)
    form = InvitationUploadForm()
    if not form.validate_on_submit():
        return _render_distribution(survey, form, [], 400)
    try:
        rows = parse_invitation_csv(form.file.data.read())
        created = create_invitations(db.session, survey, rows, expires_days=form.expires_days.data,
                                     actor_id=actor_id())
        db.session.commit()
    except InvitationImportError as exc:
        db.session.rollback()
        return _render_distribution(readable_survey_or_404(survey_id), form, exc.problems, 400)
    flash(f"Created {len(created)} invitations.", "info")
    if form.send.data:
        _send(survey, reminder=False)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/send")
def invitations_send(survey_id: int) -> ResponseReturnValue:
    """Email the invitations not sent yet."""
    _send(_survey_for_action_or_400(survey_id), reminder=False)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/remind")
def invitations_remind(survey_id: int) -> ResponseReturnValue:
    """Email one reminder to each invitee who has not answered yet."""
    _send(_survey_for_action_or_400(survey_id), reminder=True)
    return redirect(url_for("admin.distribution", survey_id=survey_id))


def _send(survey: Survey, *, reminder: bool) -> None:
    what = "reminders" if reminder else "invitations"
    try:
        with Mailer(settings().smtp) as mailer:
            result = send_all(db.session, survey, mailer, settings().base_url, reminder=reminder,
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
    survey = _survey_for_action_or_400(survey_id)
    links = ensure_site_links(db.session, survey)
    db.session.commit()
    flash(f"{len(links)} site links ready.", "info")
    return redirect(url_for("admin.distribution", survey_id=survey_id) + "#sites")


def _site_link_or_404(survey_id: int, site_code: str) -> tuple[Survey, SiteLink]:
    survey = readable_survey_or_404(survey_id)
    link = get_site_link(db.session, survey_id, site_code)
    if link is None:
        abort(404)
    return survey, link


@bp.get("/surveys/<int:survey_id>/poster/<site_code>")
def poster(survey_id: int, site_code: str) -> ResponseReturnValue:
    """A printable A4 poster with the site's QR code and instructions in the survey's languages."""
    survey, link = _site_link_or_404(survey_id, site_code)
    return render_template("admin/poster.html", survey=survey, site=link.site,
                           url=site_link_url(settings().base_url, link.code), lines=poster_lines(survey),
                           page_lang=survey.default_language)


@bp.get("/surveys/<int:survey_id>/qr/<site_code>.<fmt>")
def qr_image(survey_id: int, site_code: str, fmt: str) -> ResponseReturnValue:
    """The site's QR code as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)
    _survey, link = _site_link_or_404(survey_id, site_code)
    url = site_link_url(settings().base_url, link.code)
    if fmt == "svg":
        return Response(qr_svg(url), mimetype="image/svg+xml")
    return Response(qr_png(url), mimetype="image/png")
