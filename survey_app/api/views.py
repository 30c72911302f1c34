"""JSON API v1: surveys, trends, comments and actions. Bearer-token auth; thresholds as in the pages.

Each view is declared with `api_operation` (operations.py): its parameters arrive checked, as the pydantic
models of schemas.py, and it returns one of those models; the OpenAPI document is made from the same models.
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

import survey_app.api.schemas as s
from common.periods import period_start
from models import CorrectiveAction, TrendRow
from models import Survey as SurveyRow
from models.trend import ALL
from survey_app.actions.services import CLOSED, readable_by
from survey_app.analytics import comments as comment_service
from survey_app.analytics import corrections as correction_service
from survey_app.analytics.comment_audit import record_comment_view
from survey_app.analytics.trends import hidden_ids
from survey_app.api.blueprint import bp
from survey_app.api.errors import ApiError, error_response, http_error_response, is_api_request
from survey_app.api.openapi import build_document
from survey_app.api.operations import api_operation, api_user
from survey_app.auth.access import readable_audiences, readable_survey_or_404
from survey_app.extensions import db


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    return error_response(exc.status, exc.message, exc.parameter)


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
    if is_api_request():
        return http_error_response(exc)
    return render_template("error.html", code=exc.code, title=exc.name, message=exc.description), exc.code or 500


@bp.get("/api/v1/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document (public: it describes, it reveals no data)."""
    return jsonify(build_document(current_app))


@bp.get("/api/v1/docs")
def docs() -> ResponseReturnValue:
    """The API documentation page: Swagger UI (vendored, see static/vendor/swagger-ui) over the document."""
    return render_template("api/docs.html", spec_url=url_for("api.openapi"))


@bp.get("/api/v1/surveys")
@api_operation("listSurveys", "Surveys the token's user may read", answer=s.SurveyList, answer_description="Surveys")
def surveys(query: s.NoQuery) -> s.SurveyList:
    """Surveys the token's user may read."""
    rows = db.session.scalars(select(SurveyRow).where(SurveyRow.audience.in_(readable_audiences(api_user())))
                              .order_by(SurveyRow.id)).all()
    return s.SurveyList(items=[s.Survey.model_validate(r, from_attributes=True) for r in rows])


@bp.get("/api/v1/surveys/<int(signed=True):survey_id>/trends")
@api_operation("listTrends", "Trend rows of one period type, thresholds applied", answer=s.TrendPage,
               answer_description="One page of trend rows", query=s.TrendsQuery, path=s.SurveyPath,
               errors=(403, 404))
def trends(survey_id: int, query: s.TrendsQuery) -> s.TrendPage:
    """Trend rows of one period type, thresholds applied, keyset-paginated by row id."""
    survey = readable_survey_or_404(survey_id, api_user())
    stmt = select(TrendRow).where(TrendRow.survey_id == survey.id, TrendRow.period_type == query.period,
                                  TrendRow.segment_type == query.segment_type, TrendRow.topic == query.topic,
                                  TrendRow.id > query.cursor)
    if ALL not in (query.segment_type, query.segment_value):
        stmt = stmt.where(TrendRow.segment_value == query.segment_value)
    rows = db.session.scalars(stmt.order_by(TrendRow.id).limit(query.limit + 1)).all()
    page, more = rows[:query.limit], len(rows) > query.limit
    hidden = hidden_ids(db.session, survey, page)
    items = [s.TrendRow(period_type=r.period_type, period_start=r.period_start, segment_type=r.segment_type,
                        segment_value=r.segment_value, topic=r.topic, suppressed=r.id in hidden,
                        model_name=r.model_name, model_version=r.model_version,
                        **{f: None if r.id in hidden else getattr(r, f) for f in s.TREND_FIGURES})
             for r in page]
    return s.TrendPage(items=items, next_cursor=page[-1].id if more else None)


@bp.get("/api/v1/surveys/<int(signed=True):survey_id>/comments")
@api_operation("listComments", "Redacted comments behind a period, segment and topic (comment threshold applies)",
               answer=s.CommentPage, answer_description="One page of comments, or the reason they are hidden",
               query=s.CommentsQuery, path=s.SurveyPath, errors=(403, 404))
def comments(survey_id: int, query: s.CommentsQuery) -> s.CommentPage:
    """Redacted comments behind a period/segment/topic, page-numbered; a too-small group is explained."""
    survey = readable_survey_or_404(survey_id, api_user())
    start = period_start(query.period, query.period_start) if query.period_start else None
    segment = (query.segment_type, query.segment_value)
    if ALL in segment:  # "any site" is everyone
        segment = (ALL, ALL)
    f = comment_service.CommentFilter(query.period if start else None, start, *segment, query.topic,
                                      query.sentiment, (query.q or "").strip())
    result = comment_service.comment_page(db.session, survey, f, query.page, query.limit)
    record_comment_view(db.session, api_user().id, survey, f, result, via="api")
    db.session.commit()
    reviews = correction_service.notes_for(db.session, [c.analysis_id for c in result.comments])

    def review(analysis_id: int) -> s.CommentReview | None:
        note = reviews.get(analysis_id)
        if note is None:
            return None
        return s.CommentReview(sentiment_label=note.sentiment_label, topics=note.topics, urgent=note.urgent,
                               reviewed_on=note.corrected_at.date())

    return s.CommentPage(
        items=[s.Comment(id=c.analysis_id, month=c.submitted_on.strftime("%Y-%m"), text=c.text,
                         sentiment_label=c.sentiment_label, sentiment_score=round(c.sentiment_score, 4),
                         topics=c.topics, urgent=c.urgent, review=review(c.analysis_id)) for c in result.comments],
        total=result.total, page=result.page, pages=result.pages,
        # suppressed: nothing can be shown; a reason without suppressed: some small groups were left out.
        suppressed=result.suppressed_reason is not None, reason=result.suppressed_reason or result.partial_reason)


@bp.get("/api/v1/actions")
@api_operation("listActions", "Corrective actions", answer=s.ActionPage, answer_description="One page of actions",
               query=s.ActionsQuery)
def actions(query: s.ActionsQuery) -> s.ActionPage:
    """Corrective actions of surveys the user may read, keyset-paginated by id."""
    stmt = select(CorrectiveAction).where(readable_by(api_user()), CorrectiveAction.id > query.cursor)
    if query.status == "open":
        stmt = stmt.where(CorrectiveAction.status.not_in(CLOSED))
    elif query.status == "closed":
        stmt = stmt.where(CorrectiveAction.status.in_(CLOSED))
    rows = db.session.scalars(stmt.order_by(CorrectiveAction.id).limit(query.limit + 1)).all()
    page, more = rows[:query.limit], len(rows) > query.limit
    return s.ActionPage(items=[s.Action.model_validate(a, from_attributes=True) for a in page],
                        next_cursor=page[-1].id if more else None)
