"""CSV/XLSX exports: formula injection, thresholds, redacted text only, audit log, streaming."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Site, Survey
from survey_app.analytics.exports import csv_stream, safe_cell
from tests.analysts.factories import make_comment
from tests.factories import make_response


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_get_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain" and safe_cell(-1.5) == -1.5  # numbers stay numbers


def test_csv_stream_is_lazy_and_safe() -> None:
    rows = iter([["=cmd|' /C calc'!A0", 1], ["ok", None]])
    chunks = csv_stream(["a", "b"], rows)
    assert next(chunks) == "a,b\r\n"
    assert next(chunks) == "'=cmd|' /C calc'!A0,1\r\n"
    assert next(chunks) == "ok,\r\n"


@pytest.fixture()
def injected(db_session: Session, commented: Survey, sites: list[Site]) -> Survey:
    make_comment(db_session, commented, "=HYPERLINK(\"http://evil\",\"x\") Jane Doe",
                 redacted="=HYPERLINK(\"http://evil\",\"x\") [NAME]", site_id=sites[0].id, day=date(2025, 6, 11))
    return commented


def test_analyses_csv_export(login_as: Callable[[str | None], FlaskClient], injected: Survey,
                             db_session: Session, users: dict) -> None:
    resp = login_as("analyst").get(f"/dashboard/surveys/{injected.id}/export/analyses.csv")
    assert resp.status_code == 200 and resp.is_streamed
    body = resp.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    # 40 comments; Site 2's 3 are from a group under the comment threshold (10): exported neither with
    # their site blanked nor at all, exactly as the drill-down leaves them out.
    assert len(rows) == 37 and "Small site remark" not in body
    evil = next(r for r in rows if "HYPERLINK" in r["redacted_text"])
    assert evil["redacted_text"].startswith("'=HYPERLINK") and "Jane" not in body
    # Site 3's 11 are shown, their site is not: the responses export hides it to protect Site 2's 3
    # (complementary suppression), and the two files join on response_id.
    assert {r["site"] for r in rows} == {"s1", "(hidden)"}
    assert len([r for r in rows if r["site"] == "(hidden)"]) == 11
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(a.actor_id, a.detail["kind"], a.detail["format"]) for a in audit] == [
        (users["analyst"].id, "analyses", "csv")]


def test_xlsx_export_neutralises_formulas(login_as: Callable[[str | None], FlaskClient], injected: Survey) -> None:
    with login_as("analyst").get(f"/dashboard/surveys/{injected.id}/export/analyses.xlsx") as resp:
        assert resp.status_code == 200
        data = resp.data
    ws = load_workbook(io.BytesIO(data)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    evil = next(v for v in values if isinstance(v, str) and "HYPERLINK" in v)
    assert evil.startswith("'=")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formula cells at all


def test_trend_export_blanks_hidden_rows(login_as: Callable[[str | None], FlaskClient],
                                         customer_survey: Survey) -> None:
    body = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}/export/trends.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    hidden = [r for r in rows if r["suppressed"] == "True"]
    assert hidden and all(r["responses"] == "" and r["nps"] == "" for r in hidden)
    assert {r["topic"] for r in hidden} >= {"price"}


def test_response_export_uses_month_and_redacted_text(login_as: Callable[[str | None], FlaskClient],
                                                      db_session: Session, sites: list[Site]) -> None:
    from tests.factories import make_survey

    survey = make_survey(db_session, audience="customer", min_group_size=3)
    for i in range(4):
        make_response(db_session, survey, {"nps": 9, "why": f"Secret name {i}"}, site_id=sites[0].id)
    make_response(db_session, survey, {"nps": 2}, site_id=sites[1].id)
    body = login_as("analyst").get(f"/dashboard/surveys/{survey.id}/export/responses.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5 and "Secret name" not in body
    assert {r["why"] for r in rows} == {"(text not analysed yet)", ""}
    assert all(len(r["month"]) == 7 for r in rows)
    # One person at Site 2: their site is hidden, and so is one more group so it can't be subtracted.
    assert all(r["site"] == "(hidden)" for r in rows)


def test_tiny_survey_export_is_refused(login_as: Callable[[str | None], FlaskClient], db_session: Session) -> None:
    from tests.factories import make_survey

    survey = make_survey(db_session, audience="customer")
    make_response(db_session, survey, {"nps": 9})
    resp = login_as("analyst").get(f"/dashboard/surveys/{survey.id}/export/responses.csv")
    assert resp.status_code == 409 and "fewer than 5 responses" in resp.get_data(as_text=True)
    assert login_as("analyst").get(f"/dashboard/surveys/{survey.id}/export/responses.pdf").status_code == 404
