"""The admin area's privacy page: export download, erasure after a confirmation, purge now; admins only, CSRF."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from models import AuditEntry, Invitation, User
from tests.admin.conftest import sign_in
from tests.privacy.conftest import MARIA, MARIA_TEXT, build_world
from tests.privacy.test_subject import dump_database

POSTS = {"/admin/privacy/export": {"export-email": MARIA}, "/admin/privacy/erase/preview": {"lookup-email": MARIA},
         "/admin/privacy/erase": {"email": MARIA, "confirm": "y"}, "/admin/privacy/purge": {}}


def _admin_id(session: Session) -> int:
    return session.scalars(select(User.id).where(User.email == "admin@example.org")).one()


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_page_and_actions_are_for_admins_only(app: Flask, db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    assert app.test_client().get("/admin/privacy").status_code == 302
    analyst = sign_in(app, db_session, "analyst")
    officer = sign_in(app, db_session, "safety_officer")
    assert analyst.get("/admin/privacy").status_code == 403
    for url, data in POSTS.items():
        assert analyst.post(url, data=data).status_code == 403, url
        assert officer.post(url, data=data).status_code == 403, url
    assert db_session.scalar(select(Invitation.id).where(Invitation.email == MARIA).limit(1)) is not None
    assert [a for a in ("export", "erase", "purge") if _audit(db_session, f"privacy.{a}")] == []


def test_every_form_needs_the_csrf_token(app: Flask, db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    admin = sign_in(app, db_session, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin.get("/admin/privacy").get_data(as_text=True)
    assert page.count('csrf_token" type="hidden"') >= 3, page
    for url, data in POSTS.items():
        assert admin.post(url, data=data).status_code == 400, url
    assert db_session.scalar(select(Invitation.id).where(Invitation.email == MARIA).limit(1)) is not None
    assert _audit(db_session, "privacy.erase") == [] and _audit(db_session, "privacy.purge") == []


def test_page_shows_retention_and_what_a_purge_would_delete(app: Flask, db_session: Session,
                                                            ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    page = sign_in(app, db_session, "admin").get("/admin/privacy").get_data(as_text=True)
    assert world.customer.slug in page and "12 months" in page
    assert "Purge now" in page and "not linked to anyone" in page


def test_export_downloads_json_and_is_audited(app: Flask, db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    admin = sign_in(app, db_session, "admin")

    resp = admin.post("/admin/privacy/export", data={"export-email": "MARIA.K@example.org"})

    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=\"heedful-export-")
    assert resp.headers["Cache-Control"] == "no-store"
    data = json.loads(resp.get_data(as_text=True))
    assert data["subject"] == MARIA and len(data["responses"]) == 2
    (entry,) = _audit(db_session, "privacy.export")
    assert entry.actor_id == _admin_id(db_session) and entry.detail["responses"] == 2


@pytest.mark.parametrize(("url", "field"), [("/admin/privacy/export", "export-email"),
                                            ("/admin/privacy/erase/preview", "lookup-email"),
                                            ("/admin/privacy/erase", "email")])
def test_unknown_address_is_said_and_changes_nothing(app: Flask, db_session: Session, ctx: JobContext,
                                                     url: str, field: str) -> None:
    build_world(db_session, ctx)
    admin = sign_in(app, db_session, "admin")
    before = dump_database(db_session)
    resp = admin.post(url, data={field: "nobody@example.org", "confirm": "y"})
    assert resp.status_code == 404
    assert "No invitation is stored for nobody@example.org" in resp.get_data(as_text=True)
    assert dump_database(db_session) == before


def test_erase_shows_counts_needs_the_tick_then_erases(app: Flask, db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    admin = sign_in(app, db_session, "admin")

    preview = admin.post("/admin/privacy/erase/preview", data={"lookup-email": MARIA})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 invitations, 2\n    responses (5 answers) and 1 complaint cases" in body
    assert f'name="email" value="{MARIA}"' in body and "Erase for good" in body
    assert db_session.scalar(select(Invitation.id).where(Invitation.email == MARIA).limit(1)) is not None

    unticked = admin.post("/admin/privacy/erase", data={"email": MARIA})
    assert unticked.status_code == 400 and "Tick the box to confirm the erasure." in unticked.get_data(as_text=True)
    assert db_session.scalar(select(Invitation.id).where(Invitation.email == MARIA).limit(1)) is not None

    done = admin.post("/admin/privacy/erase", data={"email": MARIA, "confirm": "y"}, follow_redirects=True)
    assert done.status_code == 200 and "Erased 2 invitations, 2 responses, 5 answers" in done.get_data(as_text=True)
    (entry,) = _audit(db_session, "privacy.erase")
    assert entry.actor_id == _admin_id(db_session) and entry.detail["complaints"] == 1
    dump = dump_database(db_session)
    assert MARIA not in dump and MARIA_TEXT not in dump


def test_purge_now(app: Flask, db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    admin = sign_in(app, db_session, "admin")
    resp = admin.post("/admin/privacy/purge", follow_redirects=True)
    assert resp.status_code == 200 and "items past their retention were deleted" in resp.get_data(as_text=True)
    entries = _audit(db_session, "privacy.purge")
    assert {e.target_id for e in entries} >= {str(world.customer.id)}
    assert all(e.actor_id == _admin_id(db_session) for e in entries)
    db_session.expire_all()
    assert MARIA_TEXT not in dump_database(db_session)
