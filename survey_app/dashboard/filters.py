"""Query-string filters shared by the dashboard, chart downloads and drill-down; bad values → 400."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, request
from werkzeug.exceptions import BadRequest

from common.periods import PERIOD_TYPES, period_start
from models.trend import ALL, is_identifier
from survey_app.analytics.comments import SENTIMENTS, CommentFilter

MAX_Q = 200


@dataclass(frozen=True)
class Filters:
    period: str = "month"
    segment_type: str = ALL
    segment_value: str = ALL
    compare: str = "site"

    def args(self, **extra: object) -> dict[str, object]:
        out: dict[str, object] = {"period": self.period}
        if self.segment_type != ALL:
            out.update(segment_type=self.segment_type, segment_value=self.segment_value)
        out.update({k: v for k, v in extra.items() if v not in (None, "", ALL)})
        return out


def bad(message: str) -> BadRequest:
    return BadRequest(description=message)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise bad(f"{name} must be one of {', '.join(allowed)}, not {value[:40]!r}")
    return value


def dashboard_filters(default_compare: str = "site") -> Filters:
    a = request.args
    period = _one_of("period", a.get("period", "month"), PERIOD_TYPES)
    st, sv = a.get("segment_type", ALL) or ALL, a.get("segment_value", ALL) or ALL
    if (st == ALL) != (sv == ALL):
        raise bad("segment_type and segment_value go together: give both or neither")
    if len(st) > 40 or len(sv) > 120:
        raise bad("segment_type or segment_value is too long")
    compare = a.get("compare", default_compare)[:40] or default_compare
    for name in (st, compare):
        if is_identifier(name):
            raise bad(f"{name[:40]} names a person, not a group: it cannot be used as a segment")
    return Filters(period, st, sv, compare)


def comment_filter() -> tuple[CommentFilter, int]:
    a = request.args
    f = dashboard_filters()
    start: date | None = None
    period_type: str | None = None
    if a.get("period_start"):
        try:
            start = date.fromisoformat(a["period_start"])
        except ValueError:
            raise bad("period_start must be a date like 2025-03-01") from None
        period_type = f.period
        start = period_start(period_type, start)
    sentiment = a.get("sentiment") or None
    if sentiment is not None:
        _one_of("sentiment", sentiment, SENTIMENTS)
    q = a.get("q", "").strip()
    if len(q) > MAX_Q:
        raise bad(f"the search text is too long (at most {MAX_Q} characters)")
    topic = a.get("topic", ALL) or ALL
    try:
        page = int(a.get("page", "1"))
    except ValueError:
        raise bad("page must be a whole number") from None
    if page < 1:
        raise bad("page must be 1 or more")
    return CommentFilter(period_type, start, f.segment_type, f.segment_value, topic[:120], sentiment, q), page


def require(condition: bool, message: str) -> None:
    if not condition:
        abort(400, description=message)
