"""How a trend segment maps onto responses. The trend job keys built-in segments by id
(segment_type "site" → str(Response.site_id), "department" → str(Response.department_id)) and any other
segment type by the invitation attribute of that name in Response.segment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, cast, select
from sqlalchemy.orm import Session

from models import Department, Response, Site

BUILT_IN = {"site": (Response.site_id, Site), "department": (Response.department_id, Department)}


def segment_column(segment_type: str) -> ColumnElement[Any]:
    """The expression whose value (as text) is the segment value of a response."""
    if segment_type in BUILT_IN:
        return cast(BUILT_IN[segment_type][0], String)
    return cast(Response.segment[segment_type].as_string(), String)


def labels(session: Session, segment_type: str, values: Iterable[str]) -> dict[str, str]:
    """Display names for segment values: site and department names; other values are shown as they are."""
    values = list(values)
    if segment_type not in BUILT_IN:
        return {v: v for v in values}
    model = BUILT_IN[segment_type][1]
    ids = [int(v) for v in values if v.isdigit()]
    names = {str(i): n for i, n in session.execute(select(model.id, model.name).where(model.id.in_(ids)))}
    return {v: names.get(v, v) for v in values}
