"""The one place analyst views look up a survey: 404 when missing, 403 for another audience's survey."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from models import Survey, User
from survey_app.auth.access import AUDIENCE_ROLES, can_read_audience, current_user
from survey_app.extensions import db


def signed_in() -> User:
    user = current_user()
    if user is None:  # views are wrapped in require_role, so this is a programming error
        abort(401)
    return user


def get_survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    if not can_read_audience(signed_in(), survey.audience):
        abort(403)
    return survey


def readable_surveys(user: User) -> list[Survey]:
    audiences = [a for a, roles in AUDIENCE_ROLES.items() if user.role in roles]
    return list(db.session.scalars(
        select(Survey).where(Survey.audience.in_(audiences)).order_by(Survey.archived, Survey.title)
    ).all())
