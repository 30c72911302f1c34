"""Admin: sites and departments (the segments responses are counted by)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

import survey_app.admin.services as svc
from models import Department, Site
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import ActionForm, OrgUnitForm, RenameForm
from survey_app.admin.views.common import actor_id
from survey_app.extensions import db

KIND = "<any(sites, departments):kind>"


def _org_model(kind: str) -> type[Site] | type[Department]:
    if kind not in svc.ORG_MODELS:
        abort(404)
    return svc.ORG_MODELS[kind]


def _unit_or_404(kind: str, unit_id: int) -> Site | Department:
    unit = db.session.get(_org_model(kind), unit_id)
    if not isinstance(unit, Site | Department):
        abort(404)
    return unit


def _render_org(kind: str, form: OrgUnitForm, status: int = 200) -> ResponseReturnValue:
    model = _org_model(kind)
    units = db.session.scalars(select(model).order_by(model.name)).all()
    return render_template("admin/org.html", kind=kind, units=units, form=form, rename=RenameForm(formdata=None),
                           action=ActionForm()), status


@bp.get(f"/{KIND}")
def org_list(kind: str) -> ResponseReturnValue:
    """List sites or departments."""
    return _render_org(kind, OrgUnitForm(formdata=None))


@bp.post(f"/{KIND}")
def org_add(kind: str) -> ResponseReturnValue:
    """Add a site or department."""
    form = OrgUnitForm()
    if not form.validate_on_submit():
        return _render_org(kind, form, 400)
    try:
        svc.add_org_unit(db.session, kind, (form.code.data or "").strip(), (form.name.data or "").strip(), actor_id())
        db.session.commit()
    except svc.OrgError as exc:
        db.session.rollback()
        form.code.errors = [str(exc)]
        return _render_org(kind, form, 400)
    flash("Added.", "info")
    return redirect(url_for("admin.org_list", kind=kind))


@bp.post(f"/{KIND}/<int:unit_id>")
def org_rename(kind: str, unit_id: int) -> ResponseReturnValue:
    """Rename a site or department."""
    unit = _unit_or_404(kind, unit_id)
    form = RenameForm()
    if not form.validate_on_submit():
        flash("Not renamed: " + "; ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("admin.org_list", kind=kind))
    svc.rename_org_unit(db.session, unit, (form.name.data or "").strip(), actor_id())
    db.session.commit()
    flash("Renamed.", "info")
    return redirect(url_for("admin.org_list", kind=kind))


@bp.post(f"/{KIND}/<int:unit_id>/delete")
def org_delete(kind: str, unit_id: int) -> ResponseReturnValue:
    """Delete a site or department that no response names."""
    unit = _unit_or_404(kind, unit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.delete_org_unit(db.session, unit, actor_id())
        db.session.commit()
        flash("Deleted.", "info")
    except svc.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("admin.org_list", kind=kind))
