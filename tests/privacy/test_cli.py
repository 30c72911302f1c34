"""`heedful privacy purge|export|erase`: counts, confirmation, exit 1 for an unknown address, audit."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.privacy_cli import privacy_cli
from models import AuditEntry, Invitation, Response
from tests.privacy.conftest import MARIA, MARIA_TEXT, build_world
from tests.privacy.test_subject import dump_database


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_purge_dry_run_shows_counts_and_changes_nothing(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    before = dump_database(db_session)

    dry = CliRunner().invoke(privacy_cli, ["purge", "--dry-run"], obj=ctx)

    assert dry.exit_code == 0, dry.output
    assert f"{world.customer.slug}: before 2024-06-15 would delete 5 text answers, 3 other texts" in dry.stdout
    assert "3 invitation addresses" in dry.stdout
    assert dump_database(db_session) == before
    real = CliRunner().invoke(privacy_cli, ["purge"], obj=ctx)
    assert real.exit_code == 0, real.output
    assert real.stdout == dry.stdout.replace("would delete", "deleted")
    assert [e.actor_name.startswith("cli:") for e in _audit(db_session, "privacy.purge")] == [True, True]


def test_export_writes_json_and_audits_without_the_address(db_session: Session, ctx: JobContext,
                                                           tmp_path: Path) -> None:
    build_world(db_session, ctx)
    out = tmp_path / "maria.json"

    result = CliRunner().invoke(privacy_cli, ["export", "--email", "Maria.K@example.org", "--out", str(out)], obj=ctx)

    assert result.exit_code == 0, result.output
    assert "2 invitations, 2 responses, 5 answers, 1 complaint cases" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["subject"] == MARIA and "not linked to anyone" in data["worker_reports"]
    assert data["responses"][0]["answers"][1]["text"] == MARIA_TEXT
    assert out.stat().st_mode & 0o077 == 0  # personal data: the operator's eyes only
    (entry,) = _audit(db_session, "privacy.export")
    assert entry.detail == {"invitations": 2, "responses": 2, "answers": 5, "complaint_cases": 1}
    assert MARIA not in json.dumps(entry.detail) and entry.target_id is None


def test_unknown_address_says_so_exits_1_and_changes_nothing(db_session: Session, ctx: JobContext,
                                                             tmp_path: Path) -> None:
    build_world(db_session, ctx)
    before = dump_database(db_session)
    out = tmp_path / "nobody.json"
    for args in (["export", "--email", "nobody@example.org", "--out", str(out)],
                 ["erase", "--email", "nobody@example.org", "--yes"],
                 ["erase", "--email", "nobody@example.org"]):
        result = CliRunner().invoke(privacy_cli, args, obj=ctx)
        assert result.exit_code == 1, (args, result.output)
        assert "no invitation is stored for nobody@example.org; nothing was changed" in result.stderr
    assert not out.exists()
    assert dump_database(db_session) == before


def test_erase_asks_first_and_a_no_keeps_everything(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    before = dump_database(db_session)

    result = CliRunner().invoke(privacy_cli, ["erase", "--email", MARIA], obj=ctx, input="n\n")

    assert result.exit_code == 1 and "Aborted" in result.output
    assert f"{MARIA}: 2 invitations, 2 responses (5 answers), 1 complaint cases." in result.stdout
    assert "Erase all of it for good?" in result.stdout
    assert dump_database(db_session) == before


def test_erase_with_confirmation_deletes_recomputes_and_audits(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    responses = db_session.scalar(select(func.count()).select_from(Response))

    result = CliRunner().invoke(privacy_cli, ["erase", "--email", MARIA], obj=ctx, input="y\n")

    assert result.exit_code == 0, result.output
    assert "erased 2 invitations, 2 responses, 5 answers, 2 analyses" in result.stdout
    assert "1 complaint cases" in result.stdout and "recomputed" in result.stdout
    assert db_session.scalar(select(func.count()).select_from(Response)) == responses - 2
    assert db_session.scalar(select(func.count()).select_from(Invitation).where(Invitation.email == MARIA)) == 0
    (entry,) = _audit(db_session, "privacy.erase")
    assert entry.detail["responses"] == 2 and entry.actor_name is not None and entry.actor_name.startswith("cli:")
    dump = dump_database(db_session)
    assert MARIA not in dump and MARIA_TEXT not in dump
    again = CliRunner().invoke(privacy_cli, ["erase", "--email", MARIA, "--yes"], obj=ctx)
    assert again.exit_code == 1
