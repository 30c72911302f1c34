"""The urgent-report queue of worker surveys, acknowledged through the pipeline's Alert rows.

Newest first, a page at a time, filtered by site, report type and status. Worker reports keep the day
only and take random (negative) ids (models.anonymity): the day orders the queue, and the random
analysis id only breaks ties within a day so that paging is stable, never to say which came first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from models import Alert, Answer, Department, Question, Response, Site, Survey, TextAnalysis, User
from models.action import action_reports
from models.alert import urgent_alert_key
from models.anonymity import day_stamp, unused_anonymous_ids
from models.audit import record_audit
from survey_app.analytics.labels import effective_urgent

KIND = "urgent_report"
PAGE_SIZE = 20
# The worker survey's questions that say what a report is and whether anyone was hurt (the demo's and the
# template's keys). A survey without them shows neither on the cards.
REPORT_TYPE_KEY = "kind"
INJURY_KEY = "hurt"
# waiting: neither acknowledged nor answered by an action; the other two may overlap.
STATUSES = ("waiting", "action", "acknowledged", "all")


class BadFilter(ValueError):
    """A queue filter that names nothing (the view answers 400 with the message)."""


@dataclass(frozen=True)
class QueueFilters:
    site_id: int | None = None
    report_type: str | None = None
    status: str = "waiting"
    page: int = 1

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise BadFilter(f"Unknown status {self.status!r}; choose one of {', '.join(STATUSES)}.")
        if self.page < 1:
            raise BadFilter("Pages are numbered from 1.")


@dataclass(frozen=True)
class UrgentItem:
    analysis_id: int
    response_id: int
    survey: Survey
    submitted_on: date
    site: str | None
    department: str | None
    report_type: str | None  # the option's label in the survey's default language
    asks_injury: bool
    injury: bool | None  # None: the question was not answered
    redacted_text: str
    reason: str | None
    acknowledged_on: date | None
    has_action: bool


@dataclass(frozen=True)
class QueuePage:
    items: list[UrgentItem]
    filters: QueueFilters
    total: int  # matching the filters, all pages
    waiting: int  # waiting in the whole queue, whatever the filters
    pages: int


def _acknowledged() -> ColumnElement[bool]:
    return exists().where(Alert.response_id == Response.id, Alert.kind == KIND, Alert.acknowledged_at.is_not(None))


def _has_action() -> ColumnElement[bool]:
    return exists().where(action_reports.c.response_id == Response.id)


def _answer_to(key: str) -> tuple[type[Answer], ColumnElement[bool]]:
    """An alias of Answer and the condition that it is the response's answer to question `key`."""
    answer = aliased(Answer)
    question_ids = select(Question.id).where(Question.key == key, Question.survey_id == Response.survey_id)
    return answer, (answer.response_id == Response.id) & answer.question_id.in_(question_ids)


def _urgent_reports() -> Select[TextAnalysis]:
    return (
        select(TextAnalysis)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .where(effective_urgent().is_(True), Survey.audience == "worker")
    )


def waiting_count(session: Session) -> int:
    """Urgent reports neither acknowledged nor answered by an action."""
    stmt = _urgent_reports().where(~_acknowledged(), ~_has_action())
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def report_types(session: Session) -> list[tuple[str, str]]:
    """(value, label) of the report types the worker surveys offer, for the filter."""
    out: dict[str, str] = {}
    for q, lang in session.execute(select(Question, Survey.default_language).join(Survey).where(
            Question.key == REPORT_TYPE_KEY, Survey.audience == "worker")):
        for value in q.options:
            out.setdefault(str(value), _option_label(q, lang, str(value)))
    return sorted(out.items(), key=lambda pair: pair[1])


def worker_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.name)))


def _option_label(q: Question, lang: str, value: str) -> str:
    options = (q.texts.get(lang) or q.texts.get("en") or {}).get("options") or {}
    return str(options.get(value) or value.replace("_", " "))


def queue(session: Session, filters: QueueFilters | None = None) -> QueuePage:
    """One page of urgent worker reports, newest day first (a safety officer's correction holds over the model)."""
    f = filters or QueueFilters()
    kind_answer, kind_on = _answer_to(REPORT_TYPE_KEY)
    hurt_answer, hurt_on = _answer_to(INJURY_KEY)
    acknowledged_on = (select(func.max(Alert.acknowledged_at))
                       .where(Alert.response_id == Response.id, Alert.kind == KIND).scalar_subquery())
    report_type = kind_answer.choices[0].as_string()
    stmt = (
        _urgent_reports()
        .add_columns(Response, Survey, Site.name, Department.name, report_type, hurt_answer.number,
                     acknowledged_on, _has_action())
        .outerjoin(Site, Site.id == Response.site_id)
        .outerjoin(Department, Department.id == Response.department_id)
        .outerjoin(kind_answer, kind_on)
        .outerjoin(hurt_answer, hurt_on)
    )
    if f.site_id is not None:
        stmt = stmt.where(Response.site_id == f.site_id)
    if f.report_type:
        stmt = stmt.where(report_type == f.report_type)
    if f.status == "waiting":
        stmt = stmt.where(~_acknowledged(), ~_has_action())
    elif f.status == "acknowledged":
        stmt = stmt.where(_acknowledged())
    elif f.status == "action":
        stmt = stmt.where(_has_action())
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Response.submitted_on.desc(), TextAnalysis.id).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    type_questions = _questions(session, {s.id for _, _, s, *_ in rows}, REPORT_TYPE_KEY)
    injury_surveys = set(_questions(session, {s.id for _, _, s, *_ in rows}, INJURY_KEY))
    items = []
    for a, r, s, site, dept, rtype, hurt, acked, has_action in rows:
        q = type_questions.get(s.id)
        items.append(UrgentItem(
            a.id, r.id, s, r.submitted_on, site, dept,
            _option_label(q, s.default_language, rtype) if q is not None and rtype else rtype,
            s.id in injury_surveys, None if hurt is None else hurt >= 1, a.redacted_text, a.urgency_reason,
            acked.date() if acked is not None else None, bool(has_action)))
    return QueuePage(items, f, total, waiting_count(session), max(1, -(-total // PAGE_SIZE)))


def _questions(session: Session, survey_ids: set[int], key: str) -> dict[int, Question]:
    if not survey_ids:
        return {}
    return {q.survey_id: q for q in session.scalars(
        select(Question).where(Question.survey_id.in_(survey_ids), Question.key == key))}


def acknowledge(session: Session, analysis_id: int, user: User) -> bool:
    """Mark an urgent report as handled; False when it is not an urgent worker report."""
    row = session.execute(_urgent_reports().add_columns(Response).where(TextAnalysis.id == analysis_id)).first()
    if row is None:
        return False
    analysis, response = row
    # The alert belongs to the report, which keeps the day only (models.anonymity); who acknowledged it
    # and when is in the audit log, which records the officer's act, not the report.
    today = day_stamp(datetime.now(UTC))
    alerts = session.scalars(select(Alert).where(Alert.response_id == response.id, Alert.kind == KIND)).all()
    if not alerts:
        # The pipeline normally raised one already; if not, record the acknowledgement on a new one
        # whose key the pipeline's dedup sees, so nobody is paged for a handled report.
        alert_id = unused_anonymous_ids(session, Alert.id, 1)[0]
        alerts = [Alert(id=alert_id, kind=KIND, dedup_key=urgent_alert_key(analysis.answer_id),
                        survey_id=response.survey_id, response_id=response.id,
                        message=analysis.urgency_reason or "urgent report", detail={"audience": "worker"},
                        created_at=today, email_status="skipped", webhook_status="skipped")]
        session.add(alerts[0])
    for alert in alerts:
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = today, user.id
    # The day and an anonymous id here too: officers acknowledge within minutes of the alert (AuditEntry).
    record_audit(session, "urgent.acknowledge", actor_id=user.id, target_type="response", target_id=response.id,
                 worker_data=True)
    return True
