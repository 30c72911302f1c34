"""Personal invitation links: single use, consumed only by a POST, expiry, save & resume, segments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invitation, Response, Survey
from survey_app.respond.tokens import invitation_token_hash, new_invitation_token
from tests.factories import make_survey
from tests.respond.helpers import Respondent, make_invitation

SIMPLE = [{"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": "Recommend us?"}}},
          {"key": "why", "type": "long_text", "page": 2, "texts": {"en": {"label": "Why?"}}}]


@pytest.fixture()
def survey(db_session: Session) -> Survey:
    return make_survey(db_session, SIMPLE, audience="customer")


def _responses(session: Session, survey: Survey) -> list[Response]:
    return list(session.scalars(select(Response).where(Response.survey_id == survey.id)))


def test_token_is_random_and_only_its_hash_is_stored(db_session: Session, survey: Survey) -> None:
    token = new_invitation_token()
    assert len(token) >= 43 and token != new_invitation_token()  # 256 bits, URL-safe
    inv, token = make_invitation(db_session, survey)
    assert inv.token_hash == invitation_token_hash(token) and token not in inv.token_hash
    assert len(inv.token_hash) == 64


def test_get_does_not_consume_and_post_does_once(respondent: Respondent, db_session: Session,
                                                 survey: Survey) -> None:
    inv, token = make_invitation(db_session, survey, attributes={"region": "north", "channel": "web"})
    for _ in range(3):  # a mail scanner prefetching the link changes nothing
        assert respondent.open(f"/i/{token}").status_code == 200
    db_session.refresh(inv)
    assert inv.used_at is None

    respondent.submit({"nps": "10"})
    done = respondent.submit({"why": "Great"}, nav="submit")
    assert done.status_code == 302 and done.headers["Location"].startswith(f"/i/{token}/thanks")
    thanks = respondent.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Thank you" in thanks and "already been used" not in thanks  # the answer to sending
    db_session.refresh(inv)
    assert inv.used_at is not None
    [row] = _responses(db_session, survey)
    assert row.invitation_id == inv.id and row.segment == {"region": "north", "channel": "web"}

    again = respondent.client.get(f"/i/{token}")
    assert again.status_code == 200 and "already been used" in again.get_data(as_text=True)
    # Re-posting the old page (back button, double click) gets the same thank-you, and stores nothing more.
    replay = respondent.submit({"why": "Second try"}, nav="submit")
    assert replay.status_code == 302 and replay.headers["Location"] == done.headers["Location"]
    assert len(_responses(db_session, survey)) == 1
    [answer] = [a for a in _responses(db_session, survey)[0].answers if a.text]
    assert answer.text == "Great"


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "A" * 5000, "%00"])
def test_unknown_or_tampered_token_is_plain_404(client: FlaskClient, survey: Survey, token: str) -> None:
    assert client.get(f"/i/{token}").status_code == 404
    assert client.post(f"/i/{token}", data={"nav": "submit"}).status_code == 404


def test_token_with_one_character_changed_is_404(client: FlaskClient, db_session: Session,
                                                 survey: Survey) -> None:
    _inv, token = make_invitation(db_session, survey)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/i/{token}").status_code == 200
    assert client.get(f"/i/{tampered}").status_code == 404


def test_expired_invitation_says_so(respondent: Respondent, db_session: Session, survey: Survey) -> None:
    inv, token = make_invitation(db_session, survey, expires_at=datetime.now(UTC) + timedelta(minutes=5))
    respondent.open(f"/i/{token}")
    inv.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.flush()
    resp = respondent.submit({"nps": "5"})
    assert resp.status_code == 410 and "This link has expired" in respondent.html
    assert respondent.client.get(f"/i/{token}").status_code == 410
    assert _responses(db_session, survey) == []


def test_save_and_resume(respondent: Respondent, db_session: Session, survey: Survey) -> None:
    inv, token = make_invitation(db_session, survey)
    respondent.open(f"/i/{token}")
    assert "Save and finish later" in respondent.html
    respondent.submit({"nps": "7"})
    saved = respondent.submit({"why": "Half a thought"}, nav="save")
    assert saved.status_code == 200 and "Your answers are saved" in respondent.html
    db_session.refresh(inv)
    assert inv.draft is not None and inv.used_at is None

    later = Respondent(respondent.client.application.test_client())
    later.open(f"/i/{token}")
    assert "Half a thought" in later.html  # resumes on page 2 with the text
    later.submit(nav="back")
    assert 'value="7" checked' in later.html
    later.submit()
    assert later.submit(nav="submit").status_code == 302
    db_session.refresh(inv)
    assert inv.draft is None and inv.used_at is not None
    [row] = _responses(db_session, survey)
    assert {a.text for a in row.answers if a.text} == {"Half a thought"}


def test_save_is_not_offered_on_public_links(respondent: Respondent, survey: Survey) -> None:
    respondent.open(f"/s/{survey.slug}")
    assert "Save and finish later" not in respondent.html


def test_invitation_of_closed_survey_says_closed(client: FlaskClient, db_session: Session) -> None:
    closed = make_survey(db_session, SIMPLE, closes_at=datetime.now(UTC) - timedelta(days=1))
    _inv, token = make_invitation(db_session, closed)
    resp = client.get(f"/i/{token}")
    assert resp.status_code == 410 and "This survey is closed" in resp.get_data(as_text=True)
    assert db_session.scalars(select(Invitation).where(Invitation.survey_id == closed.id)).one().used_at is None


def test_thanks_page_of_an_unused_link_goes_back_to_the_form(client: FlaskClient, db_session: Session,
                                                             survey: Survey) -> None:
    _inv, token = make_invitation(db_session, survey)
    r = client.get(f"/i/{token}/thanks")
    assert r.status_code == 302 and r.headers["Location"].startswith(f"/i/{token}?")
    assert client.get(f"/i/{'x' * 43}/thanks").status_code == 404


def test_worker_invitation_keeps_the_answer_anonymous(respondent: Respondent, db_session: Session,
                                                      worker_survey: Survey, site: object) -> None:
    """The invitation holds the address it went to and the upload's columns: a worker's response must not
    point back at it, nor carry those columns, nor be matchable by the time it was used."""
    inv, token = make_invitation(db_session, worker_survey, email="pat@example.org",
                                 attributes={"name": "Pat", "team": "night shift"})
    respondent.open(f"/i/{token}")
    done = respondent.submit({"site": str(site.id), "hazard": "Loose handrail on stair B",  # type: ignore[attr-defined]
                              "severity": "high"}, nav="submit")
    assert done.status_code == 302
    respondent.follow()
    assert "Your receipt code" in respondent.html
    [row] = _responses(db_session, worker_survey)
    assert row.invitation_id is None and row.segment == {} and row.submitted_at is None
    db_session.refresh(inv)
    assert inv.used_at is not None and (inv.used_at.hour, inv.used_at.minute, inv.used_at.second) == (0, 0, 0)
    # Still single use: the link says so and a replay stores nothing.
    assert "already been used" in respondent.client.get(f"/i/{token}").get_data(as_text=True)
    respondent.submit(nav="submit")
    assert len(_responses(db_session, worker_survey)) == 1


def test_worker_invitation_offers_no_save_and_a_forced_save_stores_nothing(
    respondent: Respondent, db_session: Session, worker_survey: Survey, site: object
) -> None:
    """A draft on the server would sit in the invitation row, beside the address and the upload's columns."""
    inv, token = make_invitation(db_session, worker_survey, email="pat@example.org", attributes={"name": "Pat"})
    respondent.open(f"/i/{token}")
    assert "Save and finish later" not in respondent.html
    refused = respondent.submit({"site": str(site.id), "hazard": "Handrail loose"}, nav="save")  # type: ignore[attr-defined]
    assert refused.status_code == 400 and "nothing was stored" in respondent.html
    assert "Handrail loose" in respondent.html  # what was typed is shown again, not lost
    db_session.refresh(inv)
    assert inv.draft is None and inv.used_at is None
    assert _responses(db_session, worker_survey) == []


def test_a_draft_left_in_a_worker_invitation_is_never_shown(
    respondent: Respondent, db_session: Session, worker_survey: Survey
) -> None:
    """Drafts saved before worker drafts were withdrawn (the upgrade deletes them) are not read back."""
    _inv, token = make_invitation(db_session, worker_survey, draft={"page": 1, "raw": {"q-hazard": "old draft"}})
    respondent.open(f"/i/{token}")
    assert "old draft" not in respondent.html
