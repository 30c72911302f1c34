"""The respondent form: CSRF, the signed draft and the honeypot. Question inputs are read by answers.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class RespondForm(FlaskForm):
    class Meta:
        # CSRFProtect (survey_app.extensions) already checks every POST before the view runs; a second
        # check here would verify the same token twice on the busiest path. page.html renders the token.
        csrf = False

    state = HiddenField()
    # Honeypot: hidden from people (display:none, out of the accessibility tree); bots fill it in.
    homepage = StringField("Leave this field empty")
