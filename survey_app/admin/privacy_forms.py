"""Admin forms for data-subject requests (export, erasure) and running the retention purge."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Length


class SubjectForm(FlaskForm):
    """The address a person was invited at: what an export or an erasure is asked for."""

    email = EmailField("E-mail address the person was invited at", validators=[DataRequired(), Length(max=320)])


class EraseForm(SubjectForm):
    confirm = BooleanField("I understand this deletes everything stored about this person, for good",
                           validators=[DataRequired(message="Tick the box to confirm the erasure.")])
