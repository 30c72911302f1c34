"""`heedful pipeline run|status|runs`: progress on stderr, a summary line, JSON status, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.orm import Session

from jobs.cli import pipeline_cli
from jobs.context import JobContext
from models import TextAnalysis
from tests.factories import make_response, make_survey


def test_run_prints_progress_and_summary_then_status_and_runs(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    for i in range(6):
        make_response(db_session, survey, {"nps": 10, "why": f"great {i}"})
    make_response(db_session, survey, {"why": "BOOM"})
    runner = CliRunner()

    result = runner.invoke(pipeline_cli, ["run"], obj=job_ctx)

    assert result.exit_code == 0, result.output
    assert "scored 6 answers, 1 failed" in result.stdout
    assert "/s" in result.stdout and "stub-sentiment+stub-encoder v1" in result.stdout
    assert "7/7" in result.stderr and "ETA" in result.stderr  # the progress line goes to stderr

    out = runner.invoke(pipeline_cli, ["status", "--json"], obj=job_ctx)
    assert out.exit_code == 0, (out.output, out.exception)
    status = json.loads(out.stdout)
    assert {k: status[k] for k in ("answers_with_text", "pending", "scored", "failed", "analyses")} == {
        "answers_with_text": 7, "pending": 0, "scored": 6, "failed": 1, "analyses": 6}
    assert status["last_run"]["status"] == "ok" and status["last_run"]["processed"] == 6

    table = runner.invoke(pipeline_cli, ["status"], obj=job_ctx).stdout
    assert "answers with text" in table and "last run #" in table

    runs = runner.invoke(pipeline_cli, ["runs"], obj=job_ctx).stdout
    assert "score" in runs and " ok " in runs


def test_analyses_count_only_the_current_model(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    for i in range(3):
        make_response(db_session, survey, {"why": f"good {i}"})
    runner = CliRunner()
    runner.invoke(pipeline_cli, ["run", "--quiet"], obj=job_ctx)
    db_session.execute(update(TextAnalysis).values(model_version="v0"))
    db_session.flush()
    status = json.loads(runner.invoke(pipeline_cli, ["status", "--json"], obj=job_ctx).stdout)
    assert (status["analyses"], status["analyses_total"]) == (0, 3)
    result = runner.invoke(pipeline_cli, ["run", "--backfill", "--quiet"], obj=job_ctx)
    assert "3 re-scored" in result.stdout
    status = json.loads(runner.invoke(pipeline_cli, ["status", "--json"], obj=job_ctx).stdout)
    assert status["analyses"] == 3


def test_missing_schema_is_one_clear_line(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setenv("HEEDFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    mp.setenv("HEEDFUL_INSTANCE_PATH", str(tmp_path))
    mp.delenv("HEEDFUL_TEST_DATABASE_URL", raising=False)
    try:
        result = CliRunner().invoke(pipeline_cli, ["runs"])
    finally:
        mp.undo()
    assert result.exit_code == 1
    assert "heedful db upgrade" in result.stderr and "Traceback" not in result.output
