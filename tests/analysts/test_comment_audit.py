"""Every page of comments read, in the drill-down or through the API, leaves an audit entry: who, which
survey, which filter, which analyses were shown; never the comment text nor the words searched for."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Site, Survey, User
from survey_app.api.tokens import create_token

JUNE = "period=month&period_start=2025-06-01"


def _views(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "comments.view")
                                .order_by(AuditEntry.id)))


def test_drilldown_views_are_audited(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                     commented: Survey, sites: list[Site], users: dict[str, User]) -> None:
    client = login_as("analyst")
    page = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&q=driver").get_data(as_text=True)
    small = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site"
                       f"&segment_value={sites[1].id}")
    assert small.status_code == 200

    first, second = _views(db_session)
    assert (first.actor_id, first.target_id, first.detail["via"]) == (users["analyst"].id, str(commented.id),
                                                                      "drilldown")
    assert first.detail["period_start"] == "2025-06-01" and first.detail["search"] is True
    assert first.detail["shown"] == len(first.detail["analysis_ids"]) > 0
    assert "driver was late" in page  # comments were on the page...
    assert "driver" not in str(first.detail)  # ...and neither their text nor the search words are in the log
    assert (second.detail["segment_value"], second.detail["shown"], second.detail["suppressed"]) == (
        str(sites[1].id), 0, True)


def test_api_views_are_audited(client: FlaskClient, db_session: Session, commented: Survey,
                               users: dict[str, User]) -> None:
    token = create_token(db_session, users["analyst"], "audit test")[1]
    db_session.commit()
    resp = client.get(f"/api/v1/surveys/{commented.id}/comments?period=month&period_start=2025-06-15&limit=5",
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    items = resp.get_json()["items"]

    (entry,) = _views(db_session)
    assert entry.actor_id == users["analyst"].id and entry.detail["via"] == "api"
    assert entry.detail["analysis_ids"] == [c["id"] for c in items] and entry.detail["total"] == 36
    assert all(c["text"] not in str(entry.detail) for c in items)


def test_worker_comment_views_keep_the_day_only(login_as: Callable[[str | None], FlaskClient],
                                                db_session: Session, sites: list[Site]) -> None:
    from datetime import date

    from models.anonymity import is_day_stamp
    from tests.analysts.factories import make_comment
    from tests.factories import make_survey

    survey = make_survey(db_session, title="Hazards", audience="worker", min_comment_group_size=5)
    for i in range(6):
        make_comment(db_session, survey, f"Loose cable {i}", day=date(2025, 6, 10), site_id=sites[0].id)
    db_session.commit()
    resp = login_as("safety_officer").get(f"/dashboard/surveys/{survey.id}/comments?{JUNE}")
    assert resp.status_code == 200 and "Loose cable" in resp.get_data(as_text=True)

    (entry,) = _views(db_session)
    # Reads a minute apart would otherwise bracket when a report arrived; and a sequence id would order
    # the entry among customer-side entries that keep their exact time.
    assert entry.detail["shown"] == 6 and is_day_stamp(entry.at) and entry.id < 0
