"""Admin forms, one per use case. Per-language text fields are added for the survey's languages."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from models.survey import AUDIENCES, QUESTION_TYPES


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """Select choices as SelectChoice objects (wtforms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class SurveyForm(FlaskForm):
    slug = StringField("Slug (used in the public link)", validators=[DataRequired(), Length(max=80)])
    title = StringField("Title (for analysts)", validators=[DataRequired(), Length(max=200)])
    audience = SelectField("Audience", choices=choices([(a, a.capitalize()) for a in AUDIENCES]))
    languages = StringField("Languages (codes, comma-separated)", default="en",
                            validators=[DataRequired(), Length(max=100)])
    default_language = StringField("Default language", default="en", validators=[DataRequired(), Length(max=10)])
    opens_at = StringField("Opens at (UTC, e.g. 2025-03-01 or 2025-03-01T08:00)", validators=[Length(max=40)])
    closes_at = StringField("Closes at (UTC)", validators=[Length(max=40)])
    response_cap = IntegerField("Response cap", validators=[Optional(), NumberRange(min=1)])
    min_group_size = IntegerField("Smallest group shown as figures", default=5,
                                  validators=[DataRequired(), NumberRange(min=1, max=1000)])
    min_comment_group_size = IntegerField("Smallest group whose comments are shown", default=10,
                                          validators=[DataRequired(), NumberRange(min=1, max=1000)])
    # No range validator: the definition validator refuses 0 or less with the same message as an import.
    retention_months = IntegerField("Retention in months (retention_months): free text and contact data "
                                    "older than this are deleted daily; empty keeps them", validators=[Optional()])
    taxonomy = SelectField("Topic taxonomy", choices=[], validate_choice=False)
    rate_limit_per_minute = IntegerField("Answers per minute from one network address",
                                         validators=[Optional(), NumberRange(min=1, max=100_000)])


@lru_cache(maxsize=64)
def survey_form_class(languages: tuple[str, ...]) -> type[SurveyForm]:
    fields: dict[str, object] = {}
    for lang in languages:
        fields[f"text_title_{lang}"] = StringField(f"Title shown to respondents [{lang}]",
                                                   validators=[Length(max=200)])
        fields[f"text_intro_{lang}"] = TextAreaField(f"Introduction [{lang}]", validators=[Length(max=10_000)])
        fields[f"text_thanks_{lang}"] = TextAreaField(f"Thank-you text [{lang}]", validators=[Length(max=10_000)])
    return type(f"SurveyForm_{'_'.join(languages)}", (SurveyForm,), fields)


class QuestionForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=64),
                                         Regexp(r"^[a-z][a-z0-9_]*$", message="Use a-z, 0-9 and _.")])
    type = SelectField("Type", choices=choices([(t, t) for t in QUESTION_TYPES]))
    required = BooleanField("Required")
    page = IntegerField("Page", default=1, validators=[DataRequired(), NumberRange(min=1, max=100)])
    options = TextAreaField("Options (choice questions: one value per line)", validators=[Length(max=5000)])
    settings = TextAreaField("Settings (YAML, e.g. max_length: 500 or statements: [a, b])",
                             validators=[Length(max=5000)])
    condition_question = SelectField("Show only when question", choices=[], validate_choice=False)
    condition_values = StringField("... has one of these answers (comma-separated)", validators=[Length(max=500)])


@lru_cache(maxsize=64)
def question_form_class(languages: tuple[str, ...]) -> type[QuestionForm]:
    fields: dict[str, object] = {}
    for lang in languages:
        fields[f"label_{lang}"] = StringField(f"Label [{lang}]", validators=[Length(max=1000)])
        fields[f"help_{lang}"] = TextAreaField(f"Help text [{lang}]", validators=[Length(max=10_000)])
        fields[f"labels_{lang}"] = TextAreaField(
            f"Option and statement labels [{lang}] (one 'value = label' per line)", validators=[Length(max=10_000)])
    return type(f"QuestionForm_{'_'.join(languages)}", (QuestionForm,), fields)


class DefinitionUploadForm(FlaskForm):
    file = FileField("Definition file (.yaml, .yml or .json)", validators=[FileRequired()])
    replace = BooleanField("Replace the survey with the same slug (answered questions are kept)")


class InvitationUploadForm(FlaskForm):
    file = FileField("CSV file (column 'email' plus attributes such as region, channel)",
                     validators=[FileRequired()])
    expires_days = IntegerField("Links expire after (days)", validators=[Optional(), NumberRange(min=1, max=3650)])
    send = BooleanField("Send the emails now")


class OrgUnitForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40),
                                           Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                                                  message="Use letters, digits, - and _.")])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
