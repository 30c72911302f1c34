"""Admin page to create and revoke API tokens (HTML, session auth, CSRF-protected)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from models import ApiToken, User
from survey_app.api.blueprint import bp
from survey_app.api.tokens import create_token, revoke_token
from survey_app.auth.access import require_role, signed_in
from survey_app.dashboard.forms import options
from survey_app.extensions import db


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=120)])
    user_id = SelectField("Acts as user", coerce=int, choices=[])


class RevokeForm(FlaskForm):
    """A button: revoke a token."""


def _form() -> TokenForm:
    form = TokenForm()
    form.user_id.choices = options((u.id, f"{u.email} ({u.role})") for u in
                                   db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)))
    return form


def _page(form: TokenForm, plain: str | None = None, status: int = 200) -> ResponseReturnValue:
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).all()
    return render_template("api/tokens.html", form=form, tokens=tokens, plain=plain, revoke=RevokeForm()), status


@bp.get("/api/tokens")
@require_role("admin")
def tokens() -> ResponseReturnValue:
    """List tokens and offer to create one."""
    return _page(_form())


@bp.post("/api/tokens")
@require_role("admin")
def token_create() -> ResponseReturnValue:
    """Create a token and show it once (rendered, not redirected: it must never sit in a cookie)."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    user = db.session.get(User, form.user_id.data)
    if user is None:
        abort(400, description="unknown user")
    _row, plain = create_token(db.session, user, form.name.data or "", actor=signed_in())
    db.session.commit()
    return _page(_form(), plain=plain, status=201)


@bp.post("/api/tokens/<int:token_id>/revoke")
@require_role("admin")
def token_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke a token; it stops working at once."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id) or abort(404)
    revoke_token(db.session, token, signed_in())
    db.session.commit()
    flash("Token revoked.", "info")
    return redirect(url_for("api.tokens"))
