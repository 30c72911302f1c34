"""The urgent queue: newest day first, 20 a page, filtered by site, report type and status; the waiting count."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import AuditEntry, CorrectiveAction, Site, Survey
from models.action import action_reports
from survey_app.analytics import urgent
from tests.analysts.factories import make_comment
from tests.analysts.test_actions import _action_data
from tests.factories import make_department, make_response, make_survey

DAY = date(2025, 6, 1)
KIND_OPTIONS = {"hazard": "A hazard", "near_miss": "A near miss"}


@pytest.fixture()
def safety_survey(db_session: Session) -> Survey:
    return make_survey(db_session, title="Report a safety concern", audience="worker", questions=[
        {"key": "kind", "type": "single_choice", "options": list(KIND_OPTIONS),
         "texts": {"en": {"label": "What are you reporting?", "options": KIND_OPTIONS}}},
        {"key": "describe", "type": "long_text", "texts": {"en": {"label": "Describe it"}}},
        {"key": "hurt", "type": "yes_no", "texts": {"en": {"label": "Was anyone hurt?"}}},
    ])


def _report(db_session: Session, survey: Survey, text: str, day: date, *, kind: str = "hazard",
            hurt: float | None = None, **kw: object) -> int:
    answers: dict[str, object] = {"kind": [kind], "describe": text}
    if hurt is not None:
        answers["hurt"] = hurt
    response = make_response(db_session, survey, answers, day=day, **kw)
    return make_comment(db_session, survey, text, key="describe", response=response, urgent=True,
                        reason="danger").id


def _texts(html: str) -> list[str]:
    return re.findall(r'<p class="comment-text">([^<]*)</p>', html)


def test_newest_day_first_and_twenty_a_page(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                            safety_survey: Survey) -> None:
    # Made oldest first: random ids must not put them in any order but the day's.
    for i in range(45):
        _report(db_session, safety_survey, f"Report {i:02d}", DAY + timedelta(days=i))
    client = login_as("safety_officer")
    first = client.get("/dashboard/urgent").get_data(as_text=True)
    assert _texts(first) == [f"Report {i:02d}" for i in range(44, 24, -1)]
    assert "page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    third = client.get("/dashboard/urgent?page=3").get_data(as_text=True)
    assert _texts(third) == [f"Report {i:02d}" for i in range(4, -1, -1)]
    seen = [t for p in (1, 2, 3) for t in _texts(client.get(f"/dashboard/urgent?page={p}").get_data(as_text=True))]
    assert sorted(seen) == [f"Report {i:02d}" for i in range(45)]  # every report once, none twice
    assert client.get("/dashboard/urgent?page=0").status_code == 400
    assert client.get("/dashboard/urgent?page=x").status_code == 400
    assert client.get("/dashboard/urgent?status=bogus").status_code == 400


def test_card_shows_type_injury_department_and_day_never_a_time(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, safety_survey: Survey,
        sites: list[Site]) -> None:
    dept = make_department(db_session, name="Dispatch")
    _report(db_session, safety_survey, "Forklift hit the racking", DAY, kind="near_miss", hurt=1.0,
            site_id=sites[0].id, department_id=dept.id)
    _report(db_session, safety_survey, "Spill by door 2", DAY, hurt=0.0)
    _report(db_session, safety_survey, "Cable over walkway", DAY)
    html = login_as("safety_officer").get("/dashboard/urgent").get_data(as_text=True)
    card = html[html.index("Forklift hit the racking") - 600:html.index("Forklift hit the racking") + 900]
    assert "A near miss" in card and "someone was hurt" in card and "Dispatch" in card and "Site 1" in card
    assert "2025-06-01" in card and not re.search(r"\d\d:\d\d", card)
    assert "nobody hurt" in html and "injury not said" in html and "A hazard" in html


def test_filters_by_site_type_and_status_kept_in_links(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, safety_survey: Survey,
        sites: list[Site], users: dict[str, object]) -> None:
    _report(db_session, safety_survey, "North hazard", DAY, site_id=sites[0].id)
    _report(db_session, safety_survey, "North near miss", DAY, kind="near_miss", site_id=sites[0].id)
    acked = _report(db_session, safety_survey, "South acknowledged", DAY, site_id=sites[1].id)
    linked = _report(db_session, safety_survey, "South with action", DAY, site_id=sites[1].id)
    client = login_as("safety_officer")
    client.post(f"/dashboard/urgent/{acked}/acknowledge")
    action = CorrectiveAction(title="Fix it", source_type="alert", survey_id=safety_survey.id)
    db_session.add(action)
    db_session.flush()
    response_id = next(i.response_id for i in urgent.queue(db_session).items if i.analysis_id == linked)
    db_session.execute(insert(action_reports).values(action_id=action.id, response_id=response_id))

    def texts(query: str) -> set[str]:
        return set(_texts(client.get(f"/dashboard/urgent?{query}").get_data(as_text=True)))

    assert texts("") == {"North hazard", "North near miss"}  # waiting by default
    assert texts(f"site={sites[1].id}&status=all") == {"South acknowledged", "South with action"}
    assert texts("type=near_miss&status=all") == {"North near miss"}
    assert texts("status=acknowledged") == {"South acknowledged"}
    assert texts("status=action") == {"South with action"}
    assert texts("all=1") == {"North hazard", "North near miss", "South acknowledged", "South with action"}
    assert texts(f"site={sites[0].id}&type=hazard") == {"North hazard"}
    # The filters stay in the URL of the next page and of the acknowledge form.
    for i in range(25):
        _report(db_session, safety_survey, f"More {i}", DAY - timedelta(days=1), site_id=sites[0].id)
    html = client.get(f"/dashboard/urgent?site={sites[0].id}&type=hazard&status=waiting").get_data(as_text=True)
    assert f'href="/dashboard/urgent?page=2&amp;site={sites[0].id}&amp;type=hazard&amp;status=waiting"' in html
    assert f'/acknowledge?site={sites[0].id}&amp;type=hazard&amp;status=waiting"' in html
    assert f'<option value="{sites[0].id}" selected>' in html and '<option value="hazard" selected>' in html


def test_acknowledging_or_linking_an_action_leaves_the_waiting_count(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, safety_survey: Survey,
        sites: list[Site]) -> None:
    ids = [_report(db_session, safety_survey, f"Report {i}", DAY, site_id=sites[0].id) for i in range(3)]
    client = login_as("safety_officer")

    def waiting() -> int:
        html = client.get("/dashboard/urgent?status=all").get_data(as_text=True)
        return int(re.search(r'<strong class="waiting-count">(\d+)</strong>', html).group(1))  # type: ignore[union-attr]

    assert waiting() == 3 and urgent.waiting_count(db_session) == 3
    resp = client.post(f"/dashboard/urgent/{ids[0]}/acknowledge?status=all&site={sites[0].id}")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/dashboard/urgent?site={sites[0].id}&status=all"
    assert waiting() == 2
    # Linking an action through the action form (as the card's "Create action" button does).
    response_id = next(i.response_id for i in urgent.queue(db_session).items if i.analysis_id == ids[1])
    created = client.post("/actions/new", data=_action_data(
        survey_id=safety_survey.id, title="Mop the floor", source_type="alert",
        source_ref=f"response:{response_id}", response_id=response_id))
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    assert waiting() == 1
    # The dashboard's index counts the same.
    assert "1 urgent report waiting" in client.get("/dashboard").get_data(as_text=True)
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "urgent.acknowledge")).all()
    assert len(audit) == 1 and audit[0].at.hour == 0 and audit[0].id < 0  # the day and an anonymous id


def test_only_safety_officers_and_admins_see_the_queue(login_as: Callable[[str | None], FlaskClient],
                                                      db_session: Session, safety_survey: Survey) -> None:
    _report(db_session, safety_survey, "Hidden from analysts", DAY)
    assert login_as("analyst").get("/dashboard/urgent").status_code == 403
    assert "Hidden from analysts" in login_as("admin").get("/dashboard/urgent").get_data(as_text=True)
