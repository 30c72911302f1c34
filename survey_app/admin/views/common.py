"""What the admin view modules share: the acting user, settings and form plumbing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm

from models.settings import Settings
from survey_app.admin.problem_fields import place_problems
from survey_app.auth.access import current_user
from survey_app.surveys.errors import Problem


def actor_id() -> int | None:
    """The signed-in admin's id, for the audit trail."""
    user = current_user()
    return user.id if user else None


def settings() -> Settings:
    value: Settings = current_app.config["HEEDFUL"]
    return value


def fill_form(form: FlaskForm, data: Mapping[str, Any]) -> None:
    """Set the fields named in `data` (for a form built with formdata=None)."""
    for name, value in data.items():
        form[name].data = value


def add_field_errors(form: FlaskForm, errors: Mapping[str, Iterable[str]]) -> None:
    for name, messages in errors.items():
        form[name].errors = [*form[name].errors, *messages]


def show_problems(form: FlaskForm, problems: Iterable[Problem]) -> list[str]:
    """Put each problem on its form field when the form has one; return the rest for the top of the form."""
    by_field, rest = place_problems(problems, form._fields)
    add_field_errors(form, by_field)
    return rest
