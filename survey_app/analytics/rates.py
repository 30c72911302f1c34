"""Invitation response rates: the distribution package's figures when it exists, else counted here."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Invitation


def response_rates(session: Session, survey_id: int) -> dict[str, Any]:
    """{"invited", "responded", "rate"} (rate None when nobody was invited)."""
    try:
        module = importlib.import_module("survey_app.distribution.services")
    except ModuleNotFoundError:
        module = None
    fn = getattr(module, "response_rates", None) if module else None
    if fn is not None:
        result: dict[str, Any] = dict(fn(session, survey_id))
        return result
    invited, responded = session.execute(
        select(func.count(Invitation.id), func.count(Invitation.used_at)).where(Invitation.survey_id == survey_id)
    ).one()
    return {"invited": invited, "responded": responded,
            "rate": round(100.0 * responded / invited, 1) if invited else None}
