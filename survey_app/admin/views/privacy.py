"""Admin: data-subject requests (export as a download, erasure after a confirmation) and the retention purge.

The same service functions as `heedful privacy` (models/privacy); each request is one transaction with
its audit entry. Trend days an erasure touched are queued: the scheduler's trend job recomputes them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine, select

from models import Survey
from models.audit import record_audit
from models.privacy import (
    PurgeCounts,
    SubjectNotFound,
    erase_subject,
    export_subject,
    purge_survey,
    scrub_deleted_pages,
    secure_delete,
)
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import ActionForm
from survey_app.admin.privacy_forms import EraseForm, SubjectForm
from survey_app.admin.views.common import actor_id
from survey_app.extensions import db


def _today() -> datetime:
    return datetime.now(UTC)


def _preview() -> list[tuple[Survey, PurgeCounts]]:
    """What a purge would delete now, per survey with a retention period (a dry run: reads only)."""
    surveys = db.session.scalars(select(Survey).where(Survey.retention_months.is_not(None)).order_by(Survey.slug))
    return [(s, purge_survey(db.session, s, _today().date(), dry_run=True)) for s in surveys]


def _render(export: SubjectForm | None = None, lookup: SubjectForm | None = None, confirm: EraseForm | None = None,
            found: dict[str, int] | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "admin/privacy.html", export=export or SubjectForm(formdata=None, prefix="export"),
        lookup=lookup or SubjectForm(formdata=None, prefix="lookup"), confirm=confirm, found=found,
        preview=_preview(), action=ActionForm(),
        without=db.session.scalars(select(Survey.slug).where(Survey.retention_months.is_(None))
                                   .order_by(Survey.slug)).all()), status


def _counts(data: dict[str, Any]) -> dict[str, Any]:
    return {"invitations": len(data["invitations"]), "responses": len(data["responses"]),
            "answers": sum(len(r["answers"]) for r in data["responses"]),
            "complaint_cases": len(data["complaint_cases"])}


def _scrub() -> None:
    # Only a session on the engine: one bound to a connection (tests) runs inside an outer transaction.
    bind = db.session.get_bind()
    if isinstance(bind, Engine):
        scrub_deleted_pages(bind)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """Retention per survey, what a purge would delete now, and the data-subject request forms."""
    return _render()


@bp.post("/privacy/export")
def privacy_export() -> ResponseReturnValue:
    """Download everything stored about the person invited at an address (GDPR Art. 15) as JSON."""
    form = SubjectForm(prefix="export")
    if not form.validate_on_submit():
        return _render(export=form, status=400)
    try:
        data = export_subject(db.session, form.email.data or "")
    except SubjectNotFound as exc:
        form.email.errors = [f"{str(exc).capitalize()}; nothing was exported."]
        return _render(export=form, status=404)
    counts = _counts(data)
    record_audit(db.session, "privacy.export", actor_id=actor_id(), target_type="data_subject", **counts)
    db.session.commit()
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(json.dumps(data, indent=2, ensure_ascii=False) + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="heedful-export-{stamp}.json"',
                             "Cache-Control": "no-store"})


@bp.post("/privacy/erase/preview")
def privacy_erase_preview() -> ResponseReturnValue:
    """Show what an erasure would delete for an address, with the confirmation form."""
    form = SubjectForm(prefix="lookup")
    if not form.validate_on_submit():
        return _render(lookup=form, status=400)
    try:
        found = _counts(export_subject(db.session, form.email.data or ""))
    except SubjectNotFound as exc:
        form.email.errors = [f"{str(exc).capitalize()}; nothing was changed."]
        return _render(lookup=form, status=404)
    confirm = EraseForm(formdata=None)
    confirm.email.data = form.email.data
    return _render(lookup=form, confirm=confirm, found=found)


@bp.post("/privacy/erase")
def privacy_erase() -> ResponseReturnValue:
    """Erase everything stored about a person (GDPR Art. 17), once confirmed."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _render(confirm=form, status=400)
    try:
        with secure_delete(db.session):
            counts = erase_subject(db.session, form.email.data or "")
    except SubjectNotFound as exc:
        db.session.rollback()
        form.email.errors = [f"{str(exc).capitalize()}; nothing was changed."]
        return _render(confirm=form, status=404)
    record_audit(db.session, "privacy.erase", actor_id=actor_id(), target_type="data_subject", **counts.as_dict())
    db.session.commit()
    _scrub()
    flash(f"Erased {counts.invitations} invitations, {counts.responses} responses, {counts.answers} answers and "
          f"{counts.complaints} complaint cases. The trend figures of the {counts.trend_days} days it touched are "
          "recomputed by the scheduler within minutes.", "info")
    return redirect(url_for("admin.privacy"))


@bp.post("/privacy/purge")
def privacy_purge() -> ResponseReturnValue:
    """Run the retention purge now (the scheduler also runs it daily)."""
    if not ActionForm().validate_on_submit():
        return _render(status=400)
    today = _today().date()
    total = 0
    surveys = db.session.scalars(select(Survey).where(Survey.retention_months.is_not(None)).order_by(Survey.id))
    with secure_delete(db.session):
        for survey in surveys:
            counts = purge_survey(db.session, survey, today)
            if counts.total:
                record_audit(db.session, "privacy.purge", actor_id=actor_id(), target_type="survey",
                             target_id=survey.id, **counts.as_dict())
            total += counts.total
    db.session.commit()
    _scrub()
    flash(f"Purge done: {total} items past their retention were deleted.", "info")
    return redirect(url_for("admin.privacy"))
