"""CSV invitations, emails through a real SMTP server, reminders, response rates, QR site links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.mail import Mailer, MailError
from models import Invitation, SiteLink
from models.settings import Settings
from survey_app.distribution.invitations import (
    InvitationImportError,
    create_invitations,
    parse_invitation_csv,
)
from survey_app.distribution.qr import ensure_site_links, poster_lines, qr_png, qr_svg
from survey_app.distribution.sending import send_all
from survey_app.distribution.stats import response_rates
from survey_app.respond.tokens import invitation_token_hash
from tests.admin.conftest import Inbox
from tests.factories import make_site, make_survey

CSV = "email,customer_id,region,channel\nann@example.org,C1,north,web\nbob@example.org,C2,south,\n"
LINK = re.compile(r"https://survey\.example/i/(\S+)")


def smtp_settings(settings: Settings, port: int) -> Settings:
    return Settings(**{**settings.__dict__, "smtp_host": "127.0.0.1", "smtp_port": port,
                       "smtp_from": "surveys@example.org", "base_url": "https://survey.example"})


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Invitation)) or 0


def test_csv_rows_become_invitations_with_attributes(db_session: Session) -> None:
    survey = make_survey(db_session)
    created = create_invitations(db_session, survey, parse_invitation_csv(CSV.encode()), expires_days=14)
    assert [(i.email, i.attributes) for i in created] == [
        ("ann@example.org", {"customer_id": "C1", "region": "north", "channel": "web"}),
        ("bob@example.org", {"customer_id": "C2", "region": "south"}),
    ]
    assert all(i.sent_at is None and len(i.token_hash) == 64 for i in created)
    assert created[0].expires_at is not None and created[0].expires_at > datetime.now(UTC) + timedelta(days=13)


def test_bad_csv_lists_every_line_and_imports_nothing(db_session: Session) -> None:
    survey = make_survey(db_session)
    bad = ("email;region\nann@example.org;north\nnot-an-email;south\nann@EXAMPLE.org;west\n"
           "carl@example.org;north;extra\n")
    with pytest.raises(InvitationImportError) as info:
        parse_invitation_csv(bad)
    assert info.value.problems == [
        "line 3: email 'not-an-email' is not a valid address",
        "line 4: email ann@EXAMPLE.org already appears on line 2",
        "line 5: 3 values, but the header has 2 columns",
    ]
    with pytest.raises(InvitationImportError, match="no 'email' column"):
        parse_invitation_csv("mail,region\nx@example.org,n\n")
    with pytest.raises(InvitationImportError, match="not UTF-8"):
        parse_invitation_csv(b"email\n\xff@example.org\n")
    # Already invited: the whole file is refused, nothing is added.
    create_invitations(db_session, survey, parse_invitation_csv("email\nann@example.org\n"))
    before = count(db_session)
    with pytest.raises(InvitationImportError, match="line 3: ann@example.org was already invited"):
        create_invitations(db_session, survey, parse_invitation_csv("email\nzed@example.org\nann@example.org\n"))
    assert count(db_session) == before


def test_invitations_and_one_reminder_arrive_with_working_links(
    db_session: Session, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    cfg = smtp_settings(settings, port)
    survey = make_survey(db_session, languages=["en", "de"], default_language="en",
                         texts={"en": {"title": "How did we do?", "intro": "Two minutes."},
                                "de": {"title": "Wie war es?"}})
    rows = parse_invitation_csv("email,language\nann@example.org,de\nbob@example.org,\nexp@example.org,\n")
    ann, bob, expired = create_invitations(db_session, survey, rows, expires_days=30)
    expired.expires_at = datetime.now(UTC) - timedelta(days=1)

    with Mailer(cfg.smtp) as mailer:
        first = send_all(db_session, survey, mailer, cfg.base_url, commit=db_session.commit, batch_size=1)
    assert (first.sent, first.failed, first.aborted) == (2, [], None)
    assert {m["To"] for m in inbox.messages} == {"ann@example.org", "bob@example.org"}
    (to_ann,) = inbox.to("ann@example.org")
    assert to_ann["Subject"] == "Wie war es?" and to_ann["From"] == "surveys@example.org"
    token = LINK.search(to_ann.get_content()).group(1)  # type: ignore[union-attr]
    assert invitation_token_hash(token) == ann.token_hash and ann.sent_at is not None
    assert "Two minutes." in inbox.to("bob@example.org")[0].get_content()

    # Sending again sends nothing: each invitation is sent once.
    with Mailer(cfg.smtp) as mailer:
        assert send_all(db_session, survey, mailer, cfg.base_url, commit=db_session.commit).sent == 0

    ann.used_at = datetime.now(UTC)  # Ann answered: no reminder for her
    with Mailer(cfg.smtp) as mailer:
        reminded = send_all(db_session, survey, mailer, cfg.base_url, reminder=True, commit=db_session.commit)
        again = send_all(db_session, survey, mailer, cfg.base_url, reminder=True, commit=db_session.commit)
    assert (reminded.sent, again.sent) == (1, 0)
    reminder = inbox.to("bob@example.org")[-1]
    assert reminder["Subject"] == "Reminder: How did we do?"
    new_token = LINK.search(reminder.get_content()).group(1)  # type: ignore[union-attr]
    assert invitation_token_hash(new_token) == bob.token_hash and bob.reminded_at is not None
    assert "replaces the one we sent earlier" in reminder.get_content()
    assert inbox.to("exp@example.org") == []
    assert len(inbox.messages) == 3


def test_refused_recipient_is_reported_and_left_unsent(
    db_session: Session, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse.add("gone@example.org")
    cfg = smtp_settings(settings, port)
    survey = make_survey(db_session)
    gone, ok = create_invitations(db_session, survey,
                                  parse_invitation_csv("email\ngone@example.org\nok@example.org\n"))
    old_hash = gone.token_hash
    with Mailer(cfg.smtp) as mailer:
        result = send_all(db_session, survey, mailer, cfg.base_url, commit=db_session.commit)
    assert result.sent == 1 and [e for e, _ in result.failed] == ["gone@example.org"]
    assert gone.sent_at is None and gone.token_hash == old_hash and ok.sent_at is not None


def test_unreachable_server_is_one_clear_error(settings: Settings) -> None:
    from tests.live import free_port

    with pytest.raises(MailError, match=r"cannot send mail through 127\.0\.0\.1"):
        Mailer(smtp_settings(settings, free_port()).smtp).__enter__()
    with pytest.raises(MailError, match="HEEDFUL_SMTP_HOST is not set"):
        Mailer(settings.smtp)


def test_response_rates_overall_and_by_segment(db_session: Session) -> None:
    survey = make_survey(db_session)
    rows = parse_invitation_csv("email,region\na@x.org,north\nb@x.org,north\nc@x.org,south\nd@x.org,\n")
    a, b, c, d = create_invitations(db_session, survey, rows)
    now = datetime.now(UTC)
    for inv in (a, b, c):
        inv.sent_at = now
    a.used_at = c.used_at = now
    b.reminded_at = now
    db_session.flush()
    rates = response_rates(db_session, survey.id, by="region")
    assert {k: rates[k] for k in ("invited", "sent", "reminded", "answered", "rate")} == {
        "invited": 4, "sent": 3, "reminded": 1, "answered": 2, "rate": 0.6667}
    assert rates["segments"]["north"]["rate"] == 0.5
    assert rates["segments"][""] == {"invited": 1, "sent": 0, "reminded": 0, "answered": 0, "rate": None}
    assert response_rates(db_session, make_survey(db_session).id)["rate"] is None


def test_site_links_are_random_unique_and_stable(db_session: Session) -> None:
    survey = make_survey(db_session, audience="worker", languages=["en", "pl"], default_language="en")
    make_site(db_session, code="plant-a", name="Plant A")
    make_site(db_session, code="plant-b", name="Plant B")
    links = ensure_site_links(db_session, survey)
    codes = [link.code for link in links]
    assert len(set(codes)) == 2 and all(len(c) >= 16 for c in codes)
    assert [link.code for link in ensure_site_links(db_session, survey)] == codes
    assert db_session.scalar(select(func.count()).select_from(SiteLink)) == 2
    assert poster_lines(survey) == [("en", "Scan to report a hazard — anonymous"),
                                    ("pl", "Zeskanuj, aby zgłosić zagrożenie — anonimowo")]
    svg = qr_svg(f"https://survey.example/q/{codes[0]}")
    assert svg.startswith("<svg") and "viewBox" in svg
    assert qr_png("https://survey.example/q/x").startswith(b"\x89PNG")
