"""`heedful survey import/export/invite/remind` against a temporary SQLite file (real commits)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import models
from models import Invitation, Survey
from models.db import make_engine, make_session_factory
from survey_app.admin.cli import survey_cli
from survey_app.surveys import parse_definition
from tests.admin.conftest import Inbox

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("HEEDFUL_DATABASE_URL", url)
    monkeypatch.setenv("HEEDFUL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("HEEDFUL_BASE_URL", "https://survey.example")
    return url


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        result = (s.scalar(select(func.count()).select_from(Survey)) or 0,
                  s.scalar(select(func.count()).select_from(Invitation)) or 0)
    engine.dispose()
    return result


def test_import_export_round_trip(db_file: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(survey_cli, ["import", str(DATA / "safety.yaml")])
    assert result.exit_code == 0, result.output
    assert "imported survey safety-pulse-2025 (6 questions)" in result.output
    out = tmp_path / "out.json"
    result = runner.invoke(survey_cli, ["export", "safety-pulse-2025", "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert parse_definition(out.read_text(), "json") == parse_definition((DATA / "safety.yaml").read_text())
    again = runner.invoke(survey_cli, ["import", str(out)])
    assert again.exit_code == 1 and "already exists: use --replace" in again.output
    assert runner.invoke(survey_cli, ["import", str(out), "--replace"]).exit_code == 0
    missing = runner.invoke(survey_cli, ["export", "nope"])
    assert missing.exit_code == 1 and "no survey with slug 'nope'" in missing.output


def test_bad_definition_lists_lines_and_writes_nothing(db_file: str) -> None:
    result = CliRunner().invoke(survey_cli, ["import", str(DATA / "bad.yaml")])
    assert result.exit_code == 1
    assert "10 problem(s)" in result.output
    assert "bad.yaml, line 10: questions[0].type: unknown question type 'starz'" in result.output
    assert counts(db_file) == (0, 0)


def test_invite_send_and_remind(db_file: str, tmp_path: Path, smtp: tuple[Inbox, int],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    monkeypatch.setenv("HEEDFUL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HEEDFUL_SMTP_PORT", str(port))
    runner = CliRunner()
    assert runner.invoke(survey_cli, ["import", str(DATA / "safety.yaml")]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("email,region\nok@example.org,north\nbroken,south\n")
    result = runner.invoke(survey_cli, ["invite", "safety-pulse-2025", "--csv", str(bad)])
    assert result.exit_code == 1 and "line 3: email 'broken' is not a valid address" in result.output
    assert counts(db_file) == (1, 0)

    good = tmp_path / "good.csv"
    good.write_text("email,region\nok@example.org,north\nalso@example.org,south\n")
    result = runner.invoke(survey_cli, ["invite", "safety-pulse-2025", "--csv", str(good), "--expires-days", "7",
                                        "--send"])
    assert result.exit_code == 0, result.output
    assert "created 2 invitations" in result.output and "sent 2 invitations" in result.output
    assert sorted(m["To"] for m in inbox.messages) == ["also@example.org", "ok@example.org"]
    assert "https://survey.example/i/" in inbox.messages[0].get_content()

    result = runner.invoke(survey_cli, ["remind", "safety-pulse-2025"])
    assert result.exit_code == 0 and "sent 2 reminders" in result.output
    result = runner.invoke(survey_cli, ["remind", "safety-pulse-2025"])
    assert "sent 0 reminders" in result.output
    assert len(inbox.messages) == 4


def test_remind_without_mail_server_is_one_line(db_file: str) -> None:
    runner = CliRunner()
    assert runner.invoke(survey_cli, ["import", str(DATA / "safety.yaml")]).exit_code == 0
    result = runner.invoke(survey_cli, ["remind", "safety-pulse-2025"])
    assert result.exit_code == 1 and "HEEDFUL_SMTP_HOST is not set" in result.output
