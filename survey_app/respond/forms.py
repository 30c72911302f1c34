"""The respondent form: CSRF, the signed draft and the honeypot. Question inputs are read by answers.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class RespondForm(FlaskForm):
    state = HiddenField()
    # Honeypot: hidden from people (display:none, out of the accessibility tree); bots fill it in.
    homepage = StringField("Leave this field empty")
