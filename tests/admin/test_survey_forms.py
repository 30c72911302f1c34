"""The survey settings form's fields <-> a stored survey, without HTTP: saving an unchanged form changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from survey_app.admin.services import update_survey
from survey_app.admin.survey_forms import INLINE, survey_fields_from_form_data, survey_form_data
from survey_app.surveys import dump_definition, export_definition
from survey_app.surveys.store import load_definition
from tests.admin.strategies import definitions
from tests.factories import make_survey


@given(definitions())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_saving_the_form_as_shown_keeps_the_survey(db_session: Session, definition: dict[str, Any]) -> None:
    nested = db_session.begin_nested()
    try:
        survey = load_definition(db_session, dump_definition(definition, "yaml"))
        data = survey_form_data(survey)
        assert data["taxonomy"] == ("" if definition["taxonomy"] is None else INLINE)
        update_survey(db_session, survey, survey_fields_from_form_data(data, survey.languages), None)
        assert export_definition(survey) == definition
    finally:
        nested.rollback()


def test_form_data_of_a_survey(db_session: Session) -> None:
    survey = make_survey(db_session, languages=["en", "de"])
    survey.opens_at = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    survey.closes_at = datetime(2025, 3, 31, 18, 0, 30, tzinfo=UTC)
    survey.texts = {"en": {"title": "Hello", "thanks": "Thanks"}}
    data = survey_form_data(survey)
    assert data["languages"] == "en, de" and data["taxonomy"] == ""
    assert (data["opens_at"], data["closes_at"]) == ("2025-03-01T08:00", "2025-03-31T18:00:30")
    assert (data["text_title_en"], data["text_intro_en"], data["text_thanks_en"]) == ("Hello", "", "Thanks")
    assert data["text_title_de"] == ""


def test_fields_from_form_data() -> None:
    data = {"slug": " cx ", "title": "CX", "audience": "customer", "languages": "en, de ,,", "default_language": "en ",
            "opens_at": " ", "closes_at": "2025-04-01", "response_cap": None, "min_group_size": 5,
            "min_comment_group_size": 10, "retention_months": 18, "taxonomy": "", "text_title_en": "Hi",
            "text_intro_en": "  ", "csrf_token": "ignored"}
    fields = survey_fields_from_form_data(data, ["en", "de"])
    assert fields == {"slug": "cx", "title": "CX", "audience": "customer", "languages": ["en", "de"],
                      "default_language": "en", "opens_at": None, "closes_at": "2025-04-01", "response_cap": None,
                      "min_group_size": 5, "min_comment_group_size": 10, "retention_months": 18,
                      "rate_limit_per_minute": None, "taxonomy": None,
                      "texts": {"en": {"title": "Hi"}, "de": {}}}
    assert "taxonomy" not in survey_fields_from_form_data({**data, "taxonomy": INLINE}, [])
    assert survey_fields_from_form_data({**data, "taxonomy": "retail"}, [])["taxonomy"] == "retail"
