"""What /api/v1 accepts and answers, declared once as pydantic models.

The same models validate each request's parameters, shape each answer and, through their JSON Schema, make the
OpenAPI document (openapi.py): a limit changed here changes the check and the documentation together.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from common.periods import PERIOD_TYPES
from models.action import ACTION_STATUSES
from models.survey import AUDIENCES
from models.trend import ALL, IDENTIFIER_ATTRIBUTES, IDENTIFIER_SUFFIXES, is_identifier
from survey_app.analytics.comments import PAGE_SIZE, SENTIMENTS
from survey_app.auth.access import MAX_ID

MAX_LIMIT = 200
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")


def _whole_number(value: Any) -> Any:
    """Query integers are plain digits: pydantic alone would also read ' 5', '5.0' and '1_0'."""
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise PydanticCustomError("whole_number", "must be a whole number")
    return value


def _bounded(lo: int, hi: int, description: str) -> Any:
    # Field first: after a BeforeValidator pydantic would write the bounds as "ge"/"le", not minimum/maximum.
    return Annotated[int, Field(ge=lo, le=hi, description=description), BeforeValidator(_whole_number)]


def _text(max_length: int, description: str) -> Any:
    # Not empty (an empty parameter is refused, see operations.py), and no NUL: PostgreSQL cannot store or
    # compare it, and no real segment, topic or search has one.
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=r"^[^\x00]*$",
                                description=description)]


PeriodType = Literal[PERIOD_TYPES]  # type: ignore[valid-type]
Sentiment = Literal[SENTIMENTS]  # type: ignore[valid-type]
Limit = _bounded(1, MAX_LIMIT, "Page size")
# Negative too: rows of worker surveys carry random negative ids (models.anonymity); the default is below them all.
FIRST_PAGE = -MAX_ID - 1
Cursor = _bounded(FIRST_PAGE, MAX_ID, "Keyset cursor: next_cursor of the previous page (items come in id order)")
def _not_an_identifier(value: str) -> str:
    if is_identifier(value):
        raise PydanticCustomError("identifier", "names a person, not a group: it cannot be used as a segment")
    return value


def _any_case(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)


# is_identifier as a JSON Schema pattern (no flags there: each letter in either case), so the document says
# which segment types are refused and schema-driven clients never send one.
IDENTIFIER_PATTERN = (f"^(?:{'|'.join(_any_case(n) for n in sorted(IDENTIFIER_ATTRIBUTES))})$"
                      f"|(?:{'|'.join(_any_case(s) for s in IDENTIFIER_SUFFIXES)})$")

SegmentType = Annotated[_text(40, "Segment type (site, department, region, ...) or * for everyone; not an "
                                  "attribute that names a person (email, name, phone, *_id, ...)"),
                        AfterValidator(_not_an_identifier),
                        Field(json_schema_extra={"not": {"pattern": IDENTIFIER_PATTERN}})]
SegmentValue = _text(120, "Segment value or *")
SurveyId = _bounded(1, MAX_ID, "Survey id")


# --- parameters ------------------------------------------------------------------------------------


class Parameters(BaseModel):
    """Query or path parameters: anything not declared is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoQuery(Parameters):
    """An operation that takes no query parameters."""


class SurveyPath(Parameters):
    survey_id: SurveyId  # type: ignore[valid-type]


class TrendsQuery(Parameters):
    period: PeriodType = Field("month", description="Period type")
    segment_type: SegmentType = ALL  # type: ignore[valid-type]
    segment_value: SegmentValue = ALL  # type: ignore[valid-type]
    topic: _text(120, "Topic or * for all") = ALL  # type: ignore[valid-type]
    limit: Limit = 50  # type: ignore[valid-type]
    cursor: Cursor = FIRST_PAGE  # type: ignore[valid-type]


class CommentsQuery(Parameters):
    period: PeriodType = Field("month", description="Period type of period_start")
    period_start: date | None = Field(None, description="Any day in the period; leave out for all time")
    segment_type: SegmentType = ALL  # type: ignore[valid-type]
    segment_value: SegmentValue = ALL  # type: ignore[valid-type]
    topic: _text(120, "Topic") = ALL  # type: ignore[valid-type]
    sentiment: Sentiment | None = Field(None, description="Sentiment")
    q: _text(200, "Full-text search") | None = None  # type: ignore[valid-type]
    page: _bounded(1, 100_000, "Page number") = 1  # type: ignore[valid-type]
    limit: Limit = PAGE_SIZE  # type: ignore[valid-type]


class ActionsQuery(Parameters):
    status: Literal["open", "closed", "all"] = Field("all", description="Filter by state")
    limit: Limit = 50  # type: ignore[valid-type]
    cursor: Cursor = FIRST_PAGE  # type: ignore[valid-type]


# --- answers ---------------------------------------------------------------------------------------


class Answer(BaseModel):
    # Every field is always present in the JSON, so the document lists them all as required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class ErrorDetail(Answer):
    status: int
    message: str
    parameter: str | None = Field(None, description="The query or path parameter at fault, when one is")


class Error(Answer):
    error: ErrorDetail


class Survey(Answer):
    id: int
    slug: str
    title: str
    audience: Literal[AUDIENCES]  # type: ignore[valid-type]
    archived: bool
    min_group_size: int
    min_comment_group_size: int


class SurveyList(Answer):
    items: list[Survey]


class TrendRow(Answer):
    period_type: PeriodType
    period_start: date
    segment_type: str
    segment_value: str
    topic: str
    suppressed: bool = Field(description="true when the group is under the anonymity threshold (or hidden so "
                                         "it cannot be derived): every figure is then null")
    model_name: str | None
    model_version: str | None
    responses: int | None
    comments: int | None
    nps: float | None
    nps_low: float | None
    nps_high: float | None
    csat: float | None
    csat_low: float | None
    csat_high: float | None
    ces_mean: float | None
    rating_mean: float | None
    sentiment_mean: float | None
    sentiment_low: float | None
    sentiment_high: float | None
    sentiment_negative: int | None
    sentiment_neutral: int | None
    sentiment_positive: int | None
    urgent: int | None
    nps_change: float | None
    csat_change: float | None
    sentiment_change: float | None
    significant: bool | None


# The figures of a trend row: null when the row is suppressed.
TREND_FIGURES = tuple(name for name in TrendRow.model_fields if name not in (
    "period_type", "period_start", "segment_type", "segment_value", "topic", "suppressed", "model_name",
    "model_version"))


class TrendPage(Answer):
    items: list[TrendRow]
    next_cursor: int | None


class CommentReview(Answer):
    sentiment_label: str = Field(description="The analyst's sentiment label; it holds over the model's in trends "
                                             "and in the sentiment filter")
    topics: list[str]
    urgent: bool
    reviewed_on: date


class Comment(Answer):
    id: int = Field(description="Analysis id; random and negative for worker reports (they carry no order)")
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    text: str = Field(description="Redacted text (names, emails, phones removed)")
    sentiment_label: str = Field(description="The model's label (see review for an analyst's)")
    sentiment_score: float
    topics: list[str]
    urgent: bool
    review: CommentReview | None = Field(default=None, description="An analyst's correction, when one was made")


class CommentPage(Answer):
    items: list[Comment]
    total: int = Field(ge=0)
    page: int = Field(ge=0)
    pages: int = Field(ge=0)
    suppressed: bool
    reason: str | None


class Action(Answer):
    id: int
    survey_id: int | None
    site_id: int | None
    title: str
    source_type: str
    topic: str | None
    status: Literal[ACTION_STATUSES]  # type: ignore[valid-type]
    due_date: date | None
    effective: bool | None
    public_note: str | None
    created_at: datetime
    closed_at: datetime | None


class ActionPage(Answer):
    items: list[Action]
    next_cursor: int | None
