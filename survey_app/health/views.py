"""Health probes. `/healthz` keeps its public fields (status, database) for monitors and load balancers;
the queue figures are for a signed-in admin only."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from models import Answer
from survey_app.auth.access import current_user
from survey_app.extensions import db
from survey_app.health.blueprint import bp


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report database reachability, and to an admin how many answers wait for the pipeline.

    Anyone may poll this URL, and the queue grows the moment free text is submitted: shown publicly,
    polling it would time every worker report to the second.
    """
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        user = current_user()
        if user is not None and user.role == "admin":
            pending = db.session.scalar(
                select(func.count()).select_from(Answer).where(Answer.text_state.in_(("pending", "claimed")))
            )
            body["pending_answers"] = int(pending or 0)
        else:
            db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    response = jsonify(body)
    if "pending_answers" in body:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/livez")
def livez() -> ResponseReturnValue:
    """Answer without touching the database: the process is up (also the ceiling in load benchmarks)."""
    return jsonify(status="ok")
