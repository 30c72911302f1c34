"""Admin pages: admins only, CSRF on every form, and each editor flow end to end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Department, Invitation, Site, SiteLink, Survey
from survey_app.surveys import parse_definition
from survey_app.surveys.store import load_definition
from tests.admin.conftest import sign_in
from tests.factories import make_response, make_site, make_survey

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def seeded(db_session: Session) -> dict[str, int | str]:
    survey = load_definition(db_session, (DATA / "safety.yaml").read_text())
    site = make_site(db_session, code="plant-a", name="Plant A")
    db_session.add(SiteLink(survey_id=survey.id, site_id=site.id, code="poster-code-123456"))
    db_session.commit()
    return {"id": survey.id, "site": site.code, "site_id": site.id}


GET_URLS = [
    "/admin/", "/admin/surveys/new", "/admin/surveys/{id}", "/admin/surveys/{id}/questions/new",
    "/admin/surveys/{id}/questions/hazard", "/admin/surveys/{id}/definition.yaml",
    "/admin/surveys/{id}/definition.json",
    "/admin/definitions/upload", "/admin/sites", "/admin/departments", "/admin/surveys/{id}/distribution",
    "/admin/surveys/{id}/poster/{site}", "/admin/surveys/{id}/qr/{site}.svg", "/admin/surveys/{id}/qr/{site}.png",
]
POST_URLS = [
    "/admin/surveys/new", "/admin/surveys/{id}", "/admin/surveys/{id}/questions/new",
    "/admin/surveys/{id}/questions/hazard/move", "/admin/surveys/{id}/questions/hazard/delete",
    "/admin/definitions/upload", "/admin/sites", "/admin/sites/{site_id}/delete", "/admin/surveys/{id}/invitations",
    "/admin/surveys/{id}/send", "/admin/surveys/{id}/remind", "/admin/surveys/{id}/site-links",
]


@pytest.mark.parametrize("url", GET_URLS)
def test_get_pages_are_for_admins_only(app: Flask, db_session: Session, seeded: dict[str, int], url: str) -> None:
    url = url.format(**seeded)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert sign_in(app, db_session, "analyst").get(url).status_code == 403
    assert sign_in(app, db_session, "safety_officer").get(url).status_code == 403
    assert sign_in(app, db_session, "admin").get(url).status_code == 200


@pytest.mark.parametrize("url", POST_URLS)
def test_post_actions_are_for_admins_only(app: Flask, db_session: Session, seeded: dict[str, int], url: str) -> None:
    url = url.format(**seeded)
    before = db_session.scalar(select(func.count()).select_from(Survey))
    anonymous = app.test_client().post(url, data={"direction": "up"})
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert sign_in(app, db_session, "analyst").post(url, data={"direction": "up"}).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Survey)) == before
    assert db_session.get(Site, seeded["site_id"]) is not None


def test_every_form_needs_the_csrf_token(app: Flask, db_session: Session, seeded: dict[str, int]) -> None:
    client = sign_in(app, db_session, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/admin/surveys/{seeded['id']}").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    for url in POST_URLS:
        assert client.post(url.format(**seeded), data={"direction": "up"}).status_code == 400, url
    assert db_session.get(Site, seeded["site_id"]) is not None


def test_create_survey_then_add_edit_reorder_and_delete_questions(admin_client: FlaskClient,
                                                                  db_session: Session) -> None:
    resp = admin_client.post("/admin/surveys/new", data={
        "slug": "cx-2025", "title": "Customer 2025", "audience": "customer", "languages": "en, de",
        "default_language": "en", "min_group_size": 5, "min_comment_group_size": 10, "taxonomy": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    survey = db_session.scalar(select(Survey).where(Survey.slug == "cx-2025"))
    assert survey is not None and survey.languages == ["en", "de"]
    base = f"/admin/surveys/{survey.id}"

    def add(**form: str) -> int:
        return admin_client.post(f"{base}/questions/new", data={"page": "1", **form}).status_code

    assert add(key="channel", type="single_choice", options="web\nshop", label_en="How did you buy?",
               label_de="Wie haben Sie gekauft?", labels_en="web = Online\nshop = In a shop",
               labels_de="web = Online\nshop = Im Laden") == 302
    assert add(key="score", type="nps", required="y", label_en="Recommend us?", label_de="Empfehlen?",
               condition_question="channel", condition_values="web") == 302
    db_session.expire_all()
    assert [q.key for q in survey.questions] == ["channel", "score"]
    assert survey.questions[1].condition == {"question": "channel", "in": ["web"]}
    assert survey.questions[0].texts["de"]["options"] == {"web": "Online", "shop": "Im Laden"}

    # Errors from the shared validator land on the form fields, and nothing is saved.
    resp = admin_client.post(f"{base}/questions/new", data={
        "key": "why", "type": "short_text", "page": "1", "label_en": "Why?", "label_de": "",
        "settings": "max_length: lots", "condition_question": "channel", "condition_values": "fax"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "must not be empty" in page and "must be a whole number" in page and "&#39;fax&#39; is not an answer" in page
    db_session.expire_all()
    assert len(survey.questions) == 2

    # Edit: the label changes, the key does not.
    resp = admin_client.post(f"{base}/questions/score", data={
        "key": "renamed", "type": "nps", "page": "1", "label_en": "Would you recommend us?", "label_de": "Empfehlen?"})
    assert resp.status_code == 302
    db_session.expire_all()
    assert survey.questions[1].key == "score" and survey.questions[1].texts["en"]["label"] == "Would you recommend us?"
    assert survey.questions[1].condition is None

    assert admin_client.post(f"{base}/questions/score/move", data={"direction": "up"}).status_code == 302
    db_session.expire_all()
    assert [q.key for q in survey.questions] == ["score", "channel"]

    make_response(db_session, survey, {"score": 9})
    db_session.commit()
    resp = admin_client.post(f"{base}/questions/score/delete", follow_redirects=True)
    assert "has 1 answer(s) and cannot be removed" in resp.get_data(as_text=True)
    assert admin_client.post(f"{base}/questions/channel/delete").status_code == 302
    db_session.expire_all()
    assert [q.key for q in survey.questions] == ["score"]


def test_edit_survey_settings_and_add_a_language(admin_client: FlaskClient, db_session: Session,
                                                 seeded: dict[str, int]) -> None:
    url = f"/admin/surveys/{seeded['id']}"
    form = {"slug": "safety-pulse-2025", "title": "Safety pulse", "audience": "worker", "languages": "en, de, pl",
            "default_language": "en", "opens_at": "2025-03-01", "closes_at": "2025-02-01", "min_group_size": 5,
            "min_comment_group_size": 10, "taxonomy": "__inline__", "text_title_en": "Safe?",
            "text_title_de": "Sicher?"}
    resp = admin_client.post(url, data=form)
    assert resp.status_code == 400 and "must be after opens_at" in resp.get_data(as_text=True)
    resp = admin_client.post(url, data={**form, "closes_at": "2025-04-01T17:00"})
    assert resp.status_code == 302
    survey = db_session.get(Survey, seeded["id"])
    db_session.refresh(survey)
    assert survey is not None and survey.languages == ["en", "de", "pl"] and survey.title == "Safety pulse"
    assert survey.texts["pl"] == survey.texts["en"] == {"title": "Safe?"}
    assert survey.questions[0].texts["pl"] == survey.questions[0].texts["en"]
    assert survey.taxonomy is not None and survey.taxonomy.kind == "inline"


def test_upload_definition_good_and_bad(admin_client: FlaskClient, db_session: Session) -> None:
    def upload(name: str, content: bytes, **extra: str) -> tuple[int, str]:
        resp = admin_client.post("/admin/definitions/upload", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(content), name), **extra})
        return resp.status_code, resp.get_data(as_text=True)

    status, page = upload("bad.yaml", (DATA / "bad.yaml").read_bytes())
    assert status == 400 and "10 problems" in page
    assert "<td>10</td><td><code>questions[0].type</code></td>" in page
    assert db_session.scalar(select(func.count()).select_from(Survey)) == 0
    status, _ = upload("safety.yaml", (DATA / "safety.yaml").read_bytes())
    assert status == 302
    status, page = upload("safety.yaml", (DATA / "safety.yaml").read_bytes())
    assert status == 400 and "already exists" in page
    assert upload("safety.yaml", (DATA / "safety.yaml").read_bytes(), replace="y")[0] == 302
    survey = db_session.scalar(select(Survey))
    assert survey is not None
    download = admin_client.get(f"/admin/surveys/{survey.id}/definition.yaml")
    assert 'filename="safety-pulse-2025.yaml"' in download.headers["Content-Disposition"]
    assert parse_definition(download.get_data(as_text=True)) == parse_definition((DATA / "safety.yaml").read_text())
    assert upload("x.yaml", b"\xff\xfe")[0] == 400


def test_sites_and_departments(admin_client: FlaskClient, db_session: Session) -> None:
    assert admin_client.post("/admin/sites", data={"code": "hq", "name": "Head office"}).status_code == 302
    assert admin_client.post("/admin/sites", data={"code": "hq", "name": "Again"}).status_code == 400
    assert admin_client.post("/admin/departments", data={"code": "bad code", "name": "X"}).status_code == 400
    assert admin_client.post("/admin/departments", data={"code": "ops", "name": "Operations"}).status_code == 302
    site = db_session.scalar(select(Site).where(Site.code == "hq"))
    assert site is not None
    assert admin_client.post(f"/admin/sites/{site.id}", data={"name": "HQ"}).status_code == 302
    db_session.refresh(site)
    assert site.name == "HQ"
    survey = make_survey(db_session, audience="worker")
    make_response(db_session, survey, {"nps": 5}, site_id=site.id)
    db_session.commit()
    page = admin_client.post(f"/admin/sites/{site.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "cannot be deleted" in page and db_session.get(Site, site.id) is not None
    dep = db_session.scalar(select(Department).where(Department.code == "ops"))
    assert dep is not None
    assert admin_client.post(f"/admin/departments/{dep.id}/delete").status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Department).where(Department.code == "ops")) == 0
    assert "HQ" in admin_client.get("/admin/sites").get_data(as_text=True)


def test_distribution_page_csv_upload_and_site_posters(admin_client: FlaskClient, db_session: Session,
                                                        seeded: dict[str, int]) -> None:
    base = f"/admin/surveys/{seeded['id']}"

    def upload(content: str) -> tuple[int, str]:
        resp = admin_client.post(f"{base}/invitations", content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(content.encode()), "people.csv"), "expires_days": "10"})
        return resp.status_code, resp.get_data(as_text=True)

    status, page = upload("email,region\nok@example.org,north\nnope,south\n")
    assert status == 400 and "line 3: email &#39;nope&#39; is not a valid address" in page
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert upload("email,region\nok@example.org,north\nyes@example.org,south\n")[0] == 302
    page = admin_client.get(f"{base}/distribution").get_data(as_text=True)
    assert '<dt>Invited</dt><dd>2</dd>' in page and "No mail server is configured" in page
    # No SMTP configured: sending says so and changes nothing.
    page = admin_client.post(f"{base}/send", follow_redirects=True).get_data(as_text=True)
    assert "HEEDFUL_SMTP_HOST is not set" in page
    assert db_session.scalar(select(func.count()).select_from(Invitation).where(Invitation.sent_at.is_not(None))) == 0

    make_site(db_session, code="plant-b", name="Plant B")
    db_session.commit()
    assert admin_client.post(f"{base}/site-links").status_code == 302
    assert db_session.scalar(select(func.count()).select_from(SiteLink)) == 2
    poster = admin_client.get(f"{base}/poster/plant-a").get_data(as_text=True)
    assert "Scan to report a hazard — anonymous" in poster and "Scannen, um eine Gefahr zu melden — anonym" in poster
    assert "http://127.0.0.1:5000/q/poster-code-123456" in poster
    assert f'src="{base}/qr/plant-a.svg"' in poster and "style=" not in poster
    svg = admin_client.get(f"{base}/qr/plant-a.svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
    assert admin_client.get(f"{base}/qr/plant-a.png").data.startswith(b"\x89PNG")
    assert admin_client.get(f"{base}/poster/nowhere").status_code == 404
    assert admin_client.get(f"{base}/qr/plant-a.gif").status_code == 404


def test_send_and_remind_from_the_distribution_page(app: Flask, admin_client: FlaskClient, db_session: Session,
                                                     seeded: dict[str, int], smtp: tuple[object, int]) -> None:
    from models.settings import Settings

    inbox, port = smtp
    cfg: Settings = app.config["HEEDFUL"]
    app.config["HEEDFUL"] = Settings(**{**cfg.__dict__, "smtp_host": "127.0.0.1", "smtp_port": port})
    base = f"/admin/surveys/{seeded['id']}"
    admin_client.post(f"{base}/invitations", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"email\na@example.org\nb@example.org\n"), "p.csv"), "send": "y"})
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.org", "b@example.org"]  # type: ignore[attr-defined]
    assert "http://127.0.0.1:5000/i/" in inbox.messages[0].get_content()  # type: ignore[attr-defined]
    page = admin_client.post(f"{base}/remind", follow_redirects=True).get_data(as_text=True)
    assert "Sent 2 reminders." in page
    page = admin_client.post(f"{base}/remind", follow_redirects=True).get_data(as_text=True)
    assert "Sent 0 reminders." in page and "<dt>Reminded</dt><dd>2</dd>" in page
    assert len(inbox.messages) == 4  # type: ignore[attr-defined]


def test_worker_thresholds_have_a_floor_and_changes_are_audited(admin_client: FlaskClient, db_session: Session,
                                                                seeded: dict[str, int]) -> None:
    """An admin cannot set a worker survey's thresholds to 1/1 (the review did); a change that is allowed
    is audited with the old and the new values."""
    from models import AuditEntry

    def audited() -> list[AuditEntry]:
        return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.thresholds")
                                       .order_by(AuditEntry.id)))

    # Importing the survey recorded its first thresholds.
    assert [e.detail["min_group_size"] for e in audited()] == [{"old": None, "new": 5}]
    url = f"/admin/surveys/{seeded['id']}"
    form = {"slug": "safety-pulse-2025", "title": "Safety pulse 2025", "audience": "worker", "languages": "en, de",
            "default_language": "en", "opens_at": "2025-03-01", "closes_at": "2025-03-31T18:00",
            "min_group_size": 1, "min_comment_group_size": 1, "taxonomy": "__inline__"}
    resp = admin_client.post(url, data=form)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "must be at least 3 for a worker survey" in page and "must be at least 5 for a worker survey" in page
    survey = db_session.get(Survey, seeded["id"])
    assert survey is not None
    db_session.refresh(survey)
    assert (survey.min_group_size, survey.min_comment_group_size) == (5, 10)
    assert len(audited()) == 1

    assert admin_client.post(url, data={**form, "min_group_size": 3, "min_comment_group_size": 12}).status_code == 302
    entry = audited()[-1]
    assert len(audited()) == 2 and entry.target_id == str(seeded["id"]) and entry.actor_id is not None
    assert entry.detail["min_group_size"] == {"old": 5, "new": 3}
    assert entry.detail["min_comment_group_size"] == {"old": 10, "new": 12}
