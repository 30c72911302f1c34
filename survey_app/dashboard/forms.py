from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from common.periods import PERIOD_TYPES
from survey_app.analytics.objectives import COMPARATORS, METRIC_LABELS


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select choices as SelectChoice objects (wtforms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class AcknowledgeForm(FlaskForm):
    """A button: acknowledge an urgent report (the form carries only the CSRF token)."""


class CorrectionForm(FlaskForm):
    """An analyst's view of one comment. Labels and topics are checked by the service, which knows the
    survey's topics and says which value was wrong."""

    sentiment = StringField("Sentiment", validators=[DataRequired(message="Choose a sentiment label.")])
    urgent = BooleanField("Urgent")
    topics = SelectMultipleField("Topics", validate_choice=False)
    back = HiddenField()


class ObjectiveForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    metric = SelectField("Metric", choices=options(METRIC_LABELS.items()))
    comparator = SelectField("Comparison", choices=options((c, c) for c in COMPARATORS))
    target = FloatField("Target", validators=[InputRequired()])
    period_type = SelectField("Period", choices=options((p, p) for p in PERIOD_TYPES), default="month")
    segment_type = StringField("Segment type", default="*", validators=[DataRequired(), Length(max=40)])
    segment_value = StringField("Segment value", default="*", validators=[DataRequired(), Length(max=120)])
    due_date = DateField("Due date", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        if ok and (self.segment_type.data == "*") != (self.segment_value.data == "*"):
            self.segment_value.errors.append("Use * for both segment type and value, or name both.")
            return False
        return ok


class ComplaintOpenForm(FlaskForm):
    response_due = DateField("Respond to the customer by", validators=[DataRequired()])


class ComplaintForm(FlaskForm):
    status = SelectField("Status", choices=options([("open", "Open"), ("resolved", "Resolved"), ("closed", "Closed")]))
    owner_id = SelectField("Owner", coerce=int, choices=[])
    response_due = DateField("Respond by", validators=[DataRequired()])
    customer_contacted = BooleanField("Customer contacted")
    resolution = TextAreaField("Resolution", validators=[Optional(), Length(max=5000)])
