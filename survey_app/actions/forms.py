from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from models.action import ACTION_STATUSES
from survey_app.dashboard.forms import options

SOURCES = ("topic", "alert", "comment", "report", "objective")


class ActionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What will be done", validators=[Optional(), Length(max=10000)])
    topic = StringField("Topic", validators=[Optional(), Length(max=120)])
    site_id = SelectField("Site", coerce=int, choices=[])
    owner_id = SelectField("Owner", coerce=int, choices=[])
    due_date = DateField("Due date", validators=[Optional()])
    status = SelectField("Status", choices=options((s, s.replace("_", " ")) for s in ACTION_STATUSES))
    effectiveness_check = TextAreaField("Effectiveness check (how and when you verify it worked)",
                                        validators=[Optional(), Length(max=5000)])
    effective = SelectField("Was it effective?",
                            choices=options([("", "Not checked yet"), ("yes", "Yes"), ("no", "No")]),
                            validators=[Optional()])
    evidence_url = URLField("Link to evidence", validators=[Optional(), URL(require_tld=False), Length(max=500)])
    public_note = TextAreaField("Public note (shown to reporters and on the site's “you said, we did” page)",
                                validators=[Optional(), Length(max=2000)])
    source_type = HiddenField(validators=[DataRequired()])
    source_ref = HiddenField(validators=[Optional(), Length(max=200)])
    survey_id = HiddenField(validators=[Optional()])
    response_id = HiddenField(validators=[Optional()])

    def validate_source_type(self, field):  # type: ignore[no-untyped-def]
        if field.data not in SOURCES:
            from wtforms.validators import ValidationError

            raise ValidationError(f"source must be one of {', '.join(SOURCES)}")

    def validate_evidence_url(self, field):  # type: ignore[no-untyped-def]
        from wtforms.validators import ValidationError

        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Use an http(s) link.")


class ReceiptForm(FlaskForm):
    code = StringField("Receipt code", validators=[DataRequired(), Length(max=40)])
