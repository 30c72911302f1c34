from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from models import Answer
from survey_app.extensions import db
from survey_app.health.blueprint import bp


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report database reachability and how many answers wait for the pipeline."""
    try:
        pending = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.text_state.in_(("pending", "claimed")))
        )
    except SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", pending_answers=int(pending or 0))


@bp.get("/livez")
def livez() -> ResponseReturnValue:
    """Answer without touching the database: the process is up (also the ceiling in load benchmarks)."""
    return jsonify(status="ok")
