"""Browser journey (headless Chromium, CSRF on, real server, real SMTP on loopback): an admin sets up surveys.

The admin signs in, adds sites, uploads a broken definition (line and field shown, nothing imported), uploads the
fixed one (a worker survey, not open yet) and opens it; respondents answer by its public link and by a QR site link
(poster, SVG and PNG checked). The admin then builds a customer survey with the forms, invites by CSV (a broken file
first, then one that is emailed); an invitee answers from the link in her email, and the admin sees the answer
counted. Screenshots go to artifacts/screenshots/admin-*.png.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Invitation, Question, Response, Site, SiteLink, Survey
from models.settings import load_settings
from survey_app import create_app
from survey_app.auth.services import create_user
from survey_app.distribution.qr import qr_png, qr_svg
from tests.admin.conftest import Inbox
from tests.live import file_database, free_port, screenshot, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
ADMIN = "ada@example.org"
SLUG = "hazard-watch"

DEFINITION = """\
# A short worker survey, not open yet: the admin opens it from the survey form.
slug: hazard-watch
title: Hazard watch
audience: worker
languages: [en]
default_language: en
texts:
  en:
    title: Report a hazard
    intro: Two minutes, anonymous.
    thanks: Thank you. We read every report.
opens_at: 2099-01-01
questions:
  - key: site
    type: site
    required: true
    texts:
      en: {label: "Where do you work?"}
  - key: feel_safe
    type: rating
    required: true
    settings: {min: 1, max: 5}
    texts:
      en: {label: "I feel safe at work."}
  - key: hazard
    type: long_text
    settings: {max_length: 2000}
    texts:
      en: {label: "Describe a hazard we should fix."}
"""
# Line 24 gets an unknown question type: the rest of the file is valid, so a half-import would show.
BROKEN = DEFINITION.replace("    type: rating\n", "    type: stars\n")
BROKEN_LINE = 1 + DEFINITION.splitlines().index("    type: rating")

BAD_CSV = b"email,region\nann@example.org,north\nnot-an-email,south\n"
GOOD_CSV = b"email,region\nann@example.org,north\nbob@example.org,south\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("admin-journey")
    url, engine = file_database(tmp, "admin.db")
    with Session(engine) as s, s.begin():
        create_user(s, ADMIN, "admin", PASSWORD)
    inbox = Inbox()
    smtp_port = free_port()
    mail = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    mail.start()
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "admin-journey-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url,
                              "HEEDFUL_SMTP_HOST": "127.0.0.1", "HEEDFUL_SMTP_PORT": str(smtp_port)})
    app = create_app({"RESPOND_RATE_BURST": 1000}, settings=settings)  # CSRF on, as deployed
    try:
        with serve(app) as base:
            # Links shown to the admin and emailed (public, QR, invitation) must point at this server.
            app.config["HEEDFUL"] = dataclasses.replace(settings, base_url=base)
            yield {"base": base, "engine": engine, "inbox": inbox}
    finally:
        mail.stop()
        engine.dispose()


def shot(page: Any, name: str) -> None:
    screenshot(page, f"admin-{name}")


def watch(page: Any, seen: list[str]) -> None:
    """Record script errors and failed loads (as 'status path') so unexpected ones fail the journey."""
    page.on("console", lambda m: seen.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: seen.append(f"{r.status} {r.url.split('/', 3)[3]}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)


def flashes(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".flash").all_inner_texts()]


def answer_worker_form(page: Any, site: str | None, rating: int, hazard: str) -> str:
    """Fill the respondent form like a person and send it; return the receipt code shown."""
    assert page.locator("h1").inner_text() == "Report a hazard"
    if site is not None:
        page.select_option("#q-site", label=site)
    page.check(f"#q-feel_safe-{rating}")
    page.fill("#q-hazard", hazard)
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_selector(".receipt-code")
    assert "Thank you. We read every report." in page.inner_text("main")
    return str(page.locator(".receipt-code").inner_text())


def test_admin_journey(server: dict[str, Any], browser: Any) -> None:
    base, engine, inbox = server["base"], server["engine"], server["inbox"]
    seen: list[str] = []

    # Sign in: the admin signs in, lands on the dashboard and follows its Admin link; the admin bar links back.
    admin_ctx = browser.new_context(viewport=DESKTOP)
    admin = admin_ctx.new_page()
    watch(admin, seen)
    admin.goto(f"{base}/login")
    admin.fill("#email", ADMIN)
    admin.fill("#password", PASSWORD)
    admin.click("button[type=submit]")
    admin.wait_for_url(re.compile(r"/dashboard"))
    admin.click("nav >> text=Admin")
    admin.wait_for_url(re.compile(r"/admin/\??$"))
    assert admin.locator("header nav >> text=Dashboard").count() == 1
    assert admin.get_by_role("button", name="Sign out").count() == 1
    assert "No surveys yet." in admin.inner_text("main")
    shot(admin, "01-surveys-empty")

    # Sites, for the site question and the QR posters.
    admin.click("nav >> text=Sites")
    for code, name in (("north", "Plant North"), ("south", "Plant South")):
        admin.fill("#code", code)
        admin.fill("#name", name)
        admin.click("button:has-text('Add')")
        admin.wait_for_selector(f"input[value='{name}']")
        assert "Added." in flashes(admin)
    shot(admin, "02-sites")

    # A broken definition: every problem with its line and field, and nothing imported.
    admin.click("nav >> text=Upload definition")
    admin.set_input_files("#file", {"name": "hazard-watch.yaml", "mimeType": "application/yaml",
                                    "buffer": BROKEN.encode()})
    admin.click("button:has-text('Import')")
    admin.wait_for_selector(".problems")
    problems = admin.locator(".problems")
    assert "nothing was imported" in problems.inner_text()
    rows = [[c.strip() for c in r.locator("td").all_inner_texts()] for r in problems.locator("tbody tr").all()]
    assert any(line == str(BROKEN_LINE) and field == "questions[1].type" and "stars" in message
               for line, field, message in rows), rows
    shot(admin, "03-upload-broken")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Survey)) == 0
        assert s.scalar(select(func.count()).select_from(Question)) == 0
    admin.click("nav >> text=Surveys")
    assert "No surveys yet." in admin.inner_text("main")

    # The fixed definition imports; the survey page lists its questions.
    admin.click("text=Upload a definition file")
    admin.set_input_files("#file", {"name": "hazard-watch.yaml", "mimeType": "application/yaml",
                                    "buffer": DEFINITION.encode()})
    admin.click("button:has-text('Import')")
    admin.wait_for_selector("text=Imported hazard-watch (3 questions).")
    assert admin.locator("h1").inner_text() == f"Survey {SLUG}"
    keys = admin.locator("#questions tbody tr td:nth-child(3)").all_inner_texts()
    assert [k.strip() for k in keys] == ["site", "feel_safe", "hazard"]
    assert admin.input_value("#opens_at") == "2099-01-01T00:00"
    shot(admin, "04-imported")

    # The public link, as shown on the distribution page; before it opens, respondents are told so.
    admin.click("text=Distribution")
    public_url = admin.locator("section.card >> nth=0 >> code").inner_text().strip()
    assert public_url == f"{base}/s/{SLUG}"
    respondent = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(respondent, seen)
    respondent.goto(public_url)
    assert respondent.locator("h1").inner_text() == "This survey is not open yet"
    shot(respondent, "05-public-not-open")
    respondent.context.close()

    # Open it: clear the opening date on the survey form.
    admin.click(f"text=← {SLUG}")
    admin.fill("#opens_at", "")
    admin.click("button:has-text('Save survey')")
    admin.wait_for_selector("text=Survey saved.")
    assert admin.input_value("#opens_at") == ""
    admin.click("nav >> text=Surveys")
    row = admin.locator("tbody tr", has_text=SLUG)
    assert "— → —" in row.inner_text() and "worker" in row.inner_text()
    shot(admin, "06-survey-open")

    # A respondent answers by the public link, in a second page.
    respondent = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(respondent, seen)
    respondent.goto(public_url)
    shot(respondent, "07-public-form")
    public_receipt = answer_worker_form(respondent, "Plant North", 2, "Oil spill near press 4, nobody cleans it")
    shot(respondent, "08-public-thanks")
    respondent.context.close()

    # QR site links: one per site, with a printable poster and the QR code as SVG and PNG.
    row.locator("text=Distribution").click()
    admin.click("button:has-text('Create links for all sites')")
    admin.wait_for_selector("text=2 site links ready.")
    links = admin.locator("#sites tbody tr")
    assert links.count() == 2
    south = links.filter(has_text="Plant South")
    qr_url = south.locator("code").inner_text().strip()
    with Session(engine) as s:
        code = s.scalar(select(SiteLink.code).join(Site).where(Site.code == "south"))
    assert qr_url == f"{base}/q/{code}"
    # Each image is the QR code of the link shown beside it (segno renders the same bytes for the same text).
    for fmt, mimetype, expected in (("SVG", "image/svg+xml", qr_svg(qr_url).encode()),
                                    ("PNG", "image/png", qr_png(qr_url))):
        href = south.locator(f"a:text-is('{fmt}')").get_attribute("href")
        image = admin_ctx.request.get(base + href)  # the admin's session: QR images are admin pages
        assert image.ok and image.headers["content-type"].startswith(mimetype)
        assert image.body() == expected
    png = admin_ctx.request.get(base + south.locator("a:text-is('PNG')").get_attribute("href")).body()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and struct.unpack(">II", png[16:24])[0] >= 300  # printable size
    shot(admin, "09-site-links")
    south.locator("text=Printable poster").click()
    admin.wait_for_selector("img.poster-qr")
    assert admin.locator("img.poster-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    poster = admin.inner_text("body")
    assert "Scan to report a hazard — anonymous" in poster and qr_url in poster and "Plant South" in poster
    shot(admin, "10-poster")
    admin.go_back()

    # A worker scans the poster: the site is filled in from the QR link.
    respondent = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(respondent, seen)
    respondent.goto(qr_url)
    assert "Plant South" in respondent.inner_text("main")
    shot(respondent, "11-qr-form")
    qr_receipt = answer_worker_form(respondent, None, 4, "Blocked fire exit behind bay 2")
    shot(respondent, "12-qr-thanks")
    respondent.context.close()

    # A customer survey made with the forms: settings, texts, then a question (a bad key first), and invitations
    # for it (worker answers by invitation are stored without it: tests/respond/test_invitations.py).
    admin.click("nav >> text=Surveys")
    admin.click("text=New survey")
    admin.fill("#slug", "after-visit")
    admin.fill("#title", "After the visit")
    admin.select_option("#audience", "customer")
    admin.click("button:has-text('Create survey')")
    admin.wait_for_selector("text=Survey after-visit created.")
    admin.fill("#text_title_en", "How was your visit?")
    admin.fill("#text_thanks_en", "Thanks, that helps us.")
    admin.click("button:has-text('Save survey')")
    admin.wait_for_selector("text=Survey saved.")
    admin.click("text=Add a question")
    admin.fill("#key", "Visit")
    admin.select_option("#type", "single_choice")
    admin.check("#required")
    admin.fill("#options", "great\nok\npoor")
    admin.fill("#label_en", "How was your visit?")
    admin.fill("#labels_en", "great = Great\nok = It was OK\npoor = Poor")
    admin.click("button:has-text('Save question')")
    admin.wait_for_selector("#key-error")
    assert admin.inner_text("#key-error") == "Use a-z, 0-9 and _."
    assert admin.input_value("#labels_en") == "great = Great\nok = It was OK\npoor = Poor"  # nothing typed is lost
    shot(admin, "13-question-error")
    admin.fill("#key", "visit")
    admin.click("button:has-text('Save question')")
    admin.wait_for_selector("text=Question visit saved.")
    assert "How was your visit?" in admin.inner_text("#questions tbody")
    shot(admin, "14-customer-survey")

    # Personal invitations: a CSV with a bad line is refused whole, with the line; the fixed one is emailed.
    admin.click("text=Distribution")
    assert admin.locator("#sites").count() == 0  # QR posters are for worker surveys only
    admin.set_input_files("#file", {"name": "invitees.csv", "mimeType": "text/csv", "buffer": BAD_CSV})
    admin.click("button:has-text('Create invitations')")
    admin.wait_for_selector(".problems")
    assert "line 3: email 'not-an-email' is not a valid address" in admin.inner_text(".problems")
    assert "nothing was saved" in admin.inner_text(".problems")
    shot(admin, "15-invitations-broken")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0
    admin.set_input_files("#file", {"name": "invitees.csv", "mimeType": "text/csv", "buffer": GOOD_CSV})
    admin.fill("#expires_days", "30")
    admin.check("#send")
    admin.click("button:has-text('Create invitations')")
    admin.wait_for_selector("text=Sent 2 invitations.")
    assert "Created 2 invitations." in flashes(admin)
    figures = admin.locator("#invitations dl").inner_text()
    assert re.search(r"Invited\s+2\s+Sent\s+2\s+Reminded\s+0\s+Answered\s+0", figures), figures
    assert sorted(str(m["To"]) for m in inbox.messages) == ["ann@example.org", "bob@example.org"]

    # Ann opens the link in her email and answers; the link works once.
    mail = inbox.to("ann@example.org")[0]
    assert mail["Subject"] == "How was your visit?"
    body = mail.get_content()
    link = re.search(r"(http://\S+/i/[\w-]+)", body)
    assert link and link.group(1).startswith(f"{base}/i/"), body
    invitee = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(invitee, seen)
    invitee.goto(link.group(1))
    assert invitee.locator("h1").inner_text() == "How was your visit?"
    invitee.get_by_label("Great").check()
    shot(invitee, "16-invitation-form")
    invitee.get_by_role("button", name="Send answers").click()
    invitee.wait_for_selector("text=Thank you!")
    assert "Thanks, that helps us." in invitee.inner_text("main")  # the survey's own thank-you, not "already used"
    shot(invitee, "17-invitation-thanks")
    invitee.goto(link.group(1))
    assert "already been used" in invitee.inner_text("main")
    invitee.context.close()

    # Back in the admin view: the answer is counted against the invitations.
    admin.reload()
    figures = admin.locator("#invitations dl").inner_text()
    assert re.search(r"Invited\s+2\s+Sent\s+2\s+Reminded\s+0\s+Answered\s+1\s+Response rate\s+50\.0 %",
                     figures), figures
    shot(admin, "18-distribution-answered")
    admin.click("nav >> text=Surveys")
    counts = {r.locator("td").nth(0).inner_text().strip(): (r.locator("td").nth(4).inner_text().strip(),
                                                            r.locator("td").nth(5).inner_text().strip())
              for r in admin.locator("tbody tr").all()}
    # Questions and responses: two worker answers (public link, QR code), one customer answer (invitation).
    assert counts == {SLUG: ("3", "2"), "after-visit": ("1", "1")}
    shot(admin, "19-surveys")
    admin_ctx.close()

    with Session(engine) as s:
        ids = {slug: id_ for slug, id_ in s.execute(select(Survey.slug, Survey.id))}
        sites = {site.id: site.code for site in s.scalars(select(Site))}
        worker = s.scalars(select(Response).where(Response.survey_id == ids[SLUG]).order_by(Response.id)).all()
        assert [sites.get(r.site_id) for r in worker] == ["north", "south"]
        assert [r.receipt_code for r in worker] == [public_receipt, qr_receipt]
        assert all(r.submitted_at is None and r.invitation_id is None for r in worker)  # the day only, no link
        (answered,) = s.scalars(select(Response).where(Response.survey_id == ids["after-visit"])).all()
        invitation = s.get(Invitation, answered.invitation_id)
        assert invitation is not None and invitation.email == "ann@example.org" and invitation.used_at is not None
        assert answered.segment == {"region": "north"} and answered.answers[0].choices == ["great"]
    # Only the refusals the journey provoked: broken definition, survey not open yet, bad question key, bad CSV.
    assert sorted(seen) == sorted(["400 admin/definitions/upload", f"403 s/{SLUG}",
                                   f"400 admin/surveys/{ids['after-visit']}/questions/new",
                                   f"400 admin/surveys/{ids['after-visit']}/invitations"]), seen
