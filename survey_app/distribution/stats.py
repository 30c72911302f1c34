"""Invitation response rates for the dashboard: how many were sent, how many answered."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invitation


def response_rates(session: Session, survey_id: int, by: str | None = None) -> dict[str, Any]:
    """Counts and rate (answered / sent) for a survey's invitations; `by` adds one row per attribute value.

    {"invited", "sent", "reminded", "answered", "rate"} where rate is None until something was sent;
    with `by="region"` also {"segments": {"north": {...same keys...}, ...}} (missing value → "").
    """
    rows = session.execute(
        select(Invitation.sent_at.is_not(None), Invitation.reminded_at.is_not(None), Invitation.used_at.is_not(None),
               Invitation.attributes).where(Invitation.survey_id == survey_id)
    ).all()
    overall: Counter[str] = Counter()
    segments: dict[str, Counter[str]] = {}
    for sent, reminded, used, attributes in rows:
        targets = [overall]
        if by is not None:
            value = str((attributes or {}).get(by, ""))
            targets.append(segments.setdefault(value, Counter()))
        for c in targets:
            c["invited"] += 1
            c["sent"] += bool(sent)
            c["reminded"] += bool(reminded)
            c["answered"] += bool(used)
    result = _figures(overall)
    if by is not None:
        result["segments"] = {k: _figures(v) for k, v in sorted(segments.items())}
    return result


def _figures(c: Counter[str]) -> dict[str, Any]:
    sent = c["sent"]
    return {"invited": c["invited"], "sent": sent, "reminded": c["reminded"], "answered": c["answered"],
            "rate": round(c["answered"] / sent, 4) if sent else None}
