"""retention_months in survey definitions and the admin editor: kept round-trip, 0 or less refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Survey
from survey_app.surveys import export_definition, validate_definition
from survey_app.surveys.errors import DefinitionError
from survey_app.surveys.store import load_definition
from tests.admin.conftest import admin_client  # noqa: F401 (fixture)

SAFETY = Path(__file__).parents[1] / "admin" / "data" / "safety.yaml"


def _definition(**changes: Any) -> dict[str, Any]:
    d = yaml.safe_load(SAFETY.read_text())
    d.update(changes)
    return d


def test_retention_is_imported_and_exported(db_session: Session) -> None:
    survey = load_definition(db_session, yaml.safe_dump(_definition(retention_months=18)))
    assert survey.retention_months == 18
    assert export_definition(survey)["retention_months"] == 18
    assert validate_definition(_definition())["retention_months"] is None  # absent: kept until deleted by hand


@pytest.mark.parametrize("bad", [0, -3, 2.5, "twelve", True, 5000])
def test_bad_retention_is_refused_naming_the_field(db_session: Session, bad: Any) -> None:
    with pytest.raises(DefinitionError) as info:
        validate_definition(_definition(retention_months=bad))
    assert [p.field for p in info.value.problems] == ["retention_months"]
    assert "retention_months" in str(info.value)


def test_the_editor_refuses_zero_and_keeps_the_stored_value(admin_client: FlaskClient,  # noqa: F811
                                                            db_session: Session) -> None:
    survey = load_definition(db_session, yaml.safe_dump(_definition(retention_months=24)))
    db_session.commit()
    url = f"/admin/surveys/{survey.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'name="retention_months"' in page and 'value="24"' in page
    form = {"slug": survey.slug, "title": survey.title, "audience": "worker", "languages": "en",
            "default_language": "en", "min_group_size": 5, "min_comment_group_size": 10, "taxonomy": "__inline__"}
    for bad in ("0", "-1"):
        resp = admin_client.post(url, data={**form, "retention_months": bad})
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and "must be at least 1 month" in body, body
        assert 'id="retention_months-error"' in body  # shown on the field, whose label names retention_months
    db_session.expire_all()
    assert db_session.get(Survey, survey.id).retention_months == 24  # type: ignore[union-attr]
    assert admin_client.post(url, data={**form, "retention_months": "6"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Survey, survey.id).retention_months == 6  # type: ignore[union-attr]
    assert admin_client.post(url, data={**form, "retention_months": ""}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Survey, survey.id).retention_months is None  # type: ignore[union-attr]
