"""Read-only views of the pipeline for the CLI: queue counts and run history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.analysis import TextAnalysis
from models.pipeline import PipelineRun
from models.response import Answer


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def run_dict(run: PipelineRun) -> dict[str, Any]:
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    return {
        "id": run.id, "job": run.job, "status": run.status, "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at), "duration_s": round(duration, 3) if duration is not None else None,
        "claimed": run.claimed, "processed": run.processed, "failed": run.failed, "model_name": run.model_name,
        "model_version": run.model_version, "worker": run.worker, "error": run.error, "detail": run.detail,
    }


def pipeline_status(session: Session, model_name: str | None, model_version: str | None) -> dict[str, Any]:
    """Queue counts; `analyses` counts only rows of the current model (what a backfill still has to do)."""
    states: dict[str, int] = {
        state: n for state, n in session.execute(select(Answer.text_state, func.count()).group_by(Answer.text_state))
    }
    by_model = session.execute(
        select(TextAnalysis.model_name, TextAnalysis.model_version, func.count())
        .group_by(TextAnalysis.model_name, TextAnalysis.model_version)
    ).all()
    current = sum(n for name, version, n in by_model if (name, version) == (model_name, model_version))
    last = session.scalars(
        select(PipelineRun).where(PipelineRun.job == "score").order_by(PipelineRun.id.desc()).limit(1)
    ).first()
    return {
        "answers_with_text": sum(n for state, n in states.items() if state != "none"),
        "pending": states.get("pending", 0) + states.get("claimed", 0),
        "claimed": states.get("claimed", 0),
        "scored": states.get("scored", 0),
        "failed": states.get("failed", 0),
        "analyses": current,
        "analyses_total": sum(n for _name, _version, n in by_model),
        "model_name": model_name,
        "model_version": model_version,
        "analyses_by_model": [
            {"model_name": name, "model_version": version, "analyses": n} for name, version, n in by_model
        ],
        "last_run": run_dict(last) if last else None,
    }


def recent_runs(session: Session, limit: int = 20, job: str | None = None) -> list[dict[str, Any]]:
    stmt = select(PipelineRun).order_by(PipelineRun.id.desc()).limit(limit)
    if job:
        stmt = stmt.where(PipelineRun.job == job)
    return [run_dict(r) for r in session.scalars(stmt)]
