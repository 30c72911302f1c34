"""JSON API v1: surveys, trends, comments and actions. Bearer-token auth; thresholds as in the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from common.periods import PERIOD_TYPES, period_start
from models import CorrectiveAction, Survey, TrendRow, User
from models.trend import ALL
from survey_app.actions.services import CLOSED
from survey_app.analytics import comments as comment_service
from survey_app.analytics.trends import hidden_ids
from survey_app.api import bp
from survey_app.api.openapi import build_document
from survey_app.api.tokens import authenticate_token
from survey_app.auth.access import MAX_ID, readable_audiences, readable_survey_or_404
from survey_app.extensions import csrf, db

F = TypeVar("F", bound=Callable[..., Any])
MAX_LIMIT = 200
TREND_FIELDS = ("responses", "comments", "nps", "nps_low", "nps_high", "csat", "csat_low", "csat_high",
                "ces_mean", "rating_mean", "sentiment_mean", "sentiment_low", "sentiment_high",
                "sentiment_negative", "sentiment_neutral", "sentiment_positive", "urgent", "nps_change",
                "csat_change", "sentiment_change", "significant")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error(status: int, message: str) -> ResponseReturnValue:
    resp = jsonify({"error": {"status": status, "message": message}})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="heedful"'
    return resp


def _is_api() -> bool:
    return request.path.startswith("/api/v1/")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    return error(exc.status, exc.message)


# By code as well as by class: the app's HTML error pages are registered by code, and Flask prefers a
# handler for the code over one for the class (readable_survey_or_404 aborts with 403 and 404).
@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(413)
@bp.errorhandler(429)
@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    """JSON errors for the API; the token page keeps the HTML error pages."""
    if _is_api():
        return error(exc.code or 500, exc.description or exc.name)
    from flask import render_template

    return render_template("error.html", code=exc.code, title=exc.name, message=exc.description), exc.code or 500


def token_required(view: F) -> F:
    """401 JSON unless a valid, unrevoked bearer token of an active user is sent."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = authenticate_token(db.session, request.headers.get("Authorization"))
        if user is None:
            return error(401, "A valid API token is required: send Authorization: Bearer <token>.")
        db.session.commit()  # last_used_at
        g.api_user = user
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)  # type: ignore[return-value]


def _user() -> User:
    user: User = g.api_user
    return user


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None
    if not lo <= value <= hi:
        raise ApiError(400, f"{name} must be between {lo} and {hi}")
    return value


def _choice(name: str, default: str | None, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name, default)
    if value is not None and value not in allowed:
        raise ApiError(400, f"{name} must be one of {', '.join(allowed)}")
    return value


def _str_arg(name: str, default: str, max_len: int) -> str:
    value = request.args.get(name, default)
    if len(value) > max_len:
        raise ApiError(400, f"{name} is too long (at most {max_len} characters)")
    return value


def _cursor() -> int:
    """Keyset cursor: the id of the last item of the previous page (next_cursor)."""
    return _int_arg("cursor", 0, 0, MAX_ID)


def _survey_json(s: Survey) -> dict[str, Any]:
    return {"id": s.id, "slug": s.slug, "title": s.title, "audience": s.audience, "archived": s.archived,
            "min_group_size": s.min_group_size, "min_comment_group_size": s.min_comment_group_size}


@bp.get("/api/v1/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document (public: it describes, it reveals no data)."""
    return jsonify(build_document())


@bp.get("/api/v1/surveys")
@token_required
def surveys() -> ResponseReturnValue:
    """Surveys the token's user may read."""
    rows = db.session.scalars(select(Survey).where(Survey.audience.in_(readable_audiences(_user())))
                              .order_by(Survey.id)).all()
    return jsonify({"items": [_survey_json(s) for s in rows]})


@bp.get("/api/v1/surveys/<int(signed=True):survey_id>/trends")
@token_required
def trends(survey_id: int) -> ResponseReturnValue:
    """Trend rows of one period type, thresholds applied, keyset-paginated by row id."""
    survey = readable_survey_or_404(survey_id, _user())
    period = _choice("period", "month", PERIOD_TYPES)
    st = _str_arg("segment_type", ALL, 40)
    sv = _str_arg("segment_value", ALL, 120)
    topic = _str_arg("topic", ALL, 120)
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    after = _cursor()
    stmt = select(TrendRow).where(TrendRow.survey_id == survey.id, TrendRow.period_type == period,
                                  TrendRow.segment_type == st, TrendRow.topic == topic, TrendRow.id > after)
    if st != ALL and sv != ALL:
        stmt = stmt.where(TrendRow.segment_value == sv)
    rows = db.session.scalars(stmt.order_by(TrendRow.id).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    hidden = hidden_ids(db.session, survey, page)
    items = []
    for r in page:
        item: dict[str, Any] = {"period_type": r.period_type, "period_start": r.period_start.isoformat(),
                                "segment_type": r.segment_type, "segment_value": r.segment_value,
                                "topic": r.topic, "suppressed": r.id in hidden,
                                "model_name": r.model_name, "model_version": r.model_version}
        item.update({f: None if r.id in hidden else getattr(r, f) for f in TREND_FIELDS})
        items.append(item)
    return jsonify({"items": items, "next_cursor": page[-1].id if more else None})


@bp.get("/api/v1/surveys/<int(signed=True):survey_id>/comments")
@token_required
def comments(survey_id: int) -> ResponseReturnValue:
    """Redacted comments behind a period/segment/topic, page-numbered; a too-small group is explained."""
    survey = readable_survey_or_404(survey_id, _user())
    period = _choice("period", "month", PERIOD_TYPES) or "month"
    raw_start = request.args.get("period_start")
    start: date | None = None
    if raw_start:
        try:
            start = period_start(period, date.fromisoformat(raw_start))
        except ValueError:
            raise ApiError(400, "period_start must be a date like 2025-03-01") from None
    st = _str_arg("segment_type", ALL, 40)
    sv = _str_arg("segment_value", ALL, 120)
    if ALL in (st, sv):  # "any site" is everyone
        st = sv = ALL
    f = comment_service.CommentFilter(
        period if start else None, start, st, sv, _str_arg("topic", ALL, 120),
        _choice("sentiment", None, comment_service.SENTIMENTS), _str_arg("q", "", 200).strip())
    page_no = _int_arg("page", 1, 1, 100_000)
    limit = _int_arg("limit", comment_service.PAGE_SIZE, 1, MAX_LIMIT)
    result = comment_service.comment_page(db.session, survey, f, page_no, limit)
    return jsonify({
        "items": [{"id": c.analysis_id, "month": c.submitted_on.strftime("%Y-%m"),
                   "text": c.text, "sentiment_label": c.sentiment_label,
                   "sentiment_score": round(c.sentiment_score, 4), "topics": c.topics, "urgent": c.urgent}
                  for c in result.comments],
        "total": result.total, "page": result.page, "pages": result.pages,
        "suppressed": result.suppressed_reason is not None, "reason": result.suppressed_reason,
    })


@bp.get("/api/v1/actions")
@token_required
def actions() -> ResponseReturnValue:
    """Corrective actions of surveys the user may read, keyset-paginated by id."""
    status = _choice("status", "all", ("open", "closed", "all"))
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    after = _cursor()
    readable = select(Survey.id).where(Survey.audience.in_(readable_audiences(_user())))
    stmt = select(CorrectiveAction).where(
        (CorrectiveAction.survey_id.is_(None)) | CorrectiveAction.survey_id.in_(readable),
        CorrectiveAction.id > after)
    if status == "open":
        stmt = stmt.where(CorrectiveAction.status.not_in(CLOSED))
    elif status == "closed":
        stmt = stmt.where(CorrectiveAction.status.in_(CLOSED))
    rows = db.session.scalars(stmt.order_by(CorrectiveAction.id).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    return jsonify({
        "items": [{"id": a.id, "survey_id": a.survey_id, "site_id": a.site_id, "title": a.title,
                   "source_type": a.source_type, "topic": a.topic, "status": a.status,
                   "due_date": a.due_date.isoformat() if a.due_date else None,
                   "effective": a.effective, "public_note": a.public_note,
                   "created_at": a.created_at.isoformat(),
                   "closed_at": a.closed_at.isoformat() if a.closed_at else None} for a in page],
        "next_cursor": page[-1].id if more else None,
    })
