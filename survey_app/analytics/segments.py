"""How a trend segment maps onto responses. The trend job keys built-in segments by id
(segment_type "site" → str(Response.site_id), "department" → str(Response.department_id)) and any other
segment type by the invitation attribute of that name in Response.segment."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, select
from sqlalchemy.orm import Session

from common.periods import period_start
from models import Department, Response, Site
from models.trend import is_identifier

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


# (period start, site id, department id, ((attribute, JSON value), ...)): the finest group a response
# belongs to, over every dimension an analyst can select by.
CellKey = tuple[date, int | None, int | None, tuple[tuple[str, str], ...]]


def cell_key(period_type: str, day: date, site_id: int | None, department_id: int | None,
             segment: object) -> CellKey:
    """The cell of a response. "No value" is a value: the people without a region form their own cell.
    Attributes that name a person (customer_id, email, ...) are not dimensions: nobody can select by them."""
    raw = json.loads(segment) if isinstance(segment, str) else segment
    attrs = tuple(sorted(
        (str(k), json.dumps(v, sort_keys=True)) for k, v in (raw.items() if isinstance(raw, dict) else ())
        if not is_identifier(str(k))
    ))
    return period_start(period_type, day), site_id, department_id, attrs
