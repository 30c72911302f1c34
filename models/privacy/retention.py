"""Retention: delete what a survey keeps about people once its `retention_months` have passed.

Per survey, for responses submitted before the cut-off day: free-text answers with their analyses and
topic tags (a choice question's "other" text is blanked, its choice kept), the report text copied into
urgent alerts, the upload columns copied onto responses as their segment, the contact consent, and the
resolution notes of closed complaint cases opened from them (the case itself stays as a record). Per
invitation created before the cut-off: the e-mail address, upload columns and any saved draft.

Closed-question answers stay, and so do the trend rows: the survey's `text_purged_before` moves to the
cut-off, and the trend jobs never recompute a day before it (its text is gone; the stored rows are now
the record). So purging never changes a trend figure. The one exception are rows keyed by an upload
column's value that only ever described individuals, such as a name (see privacy/segments.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.action import Complaint
from models.alert import Alert
from models.analysis import TextAnalysis, TopicTag
from models.correction import AnalysisCorrection
from models.distribution import Invitation
from models.privacy.segments import drop_orphaned_segment_rows, segment_pairs
from models.response import Answer, Response
from models.survey import TEXT_TYPES, Question, Survey

CHUNK = 500  # ids per statement: bounded IN lists on both databases


@dataclass
class PurgeCounts:
    """What one survey's purge removed (or, in a dry run, would remove)."""

    survey_id: int
    slug: str
    cutoff: date
    responses: int = 0  # responses older than the cut-off that still held something to remove
    text_answers: int = 0
    other_texts: int = 0
    analyses: int = 0
    topic_tags: int = 0
    corrections: int = 0  # analysts' corrections of the labels of those answers
    alert_texts: int = 0
    segments: int = 0
    invitations: int = 0
    next_after: int | None = None  # a batched call: the response id the next batch starts after
    case_notes: int = 0  # resolution notes of closed complaint cases
    trend_rows: int = 0  # rows of an upload-column value that named individuals (see privacy/segments.py)

    @property
    def total(self) -> int:
        return (self.text_answers + self.other_texts + self.analyses + self.topic_tags + self.corrections
                + self.alert_texts
                + self.segments + self.invitations + self.case_notes + self.trend_rows)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["cutoff"] = self.cutoff.isoformat()
        del out["next_after"]
        return out

    def add(self, other: PurgeCounts) -> None:
        """Add the counts of another batch of the same survey."""
        for name, value in asdict(other).items():
            if isinstance(value, int) and name not in ("survey_id", "next_after"):
                setattr(self, name, getattr(self, name) + value)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _ids(session: Session, stmt: Any) -> list[int]:
    return list(session.scalars(stmt))


def purge_survey(session: Session, survey: Survey, today: date, *, dry_run: bool = False,
                 batch: int | None = None, after_id: int | None = None) -> PurgeCounts:
    """Remove what `survey` keeps past its retention (counts only when `dry_run`). Never commits.

    With `batch`, only the next `batch` old responses (by id, after `after_id`) are handled, and
    `counts.next_after` says where the next call starts (None: this was the last batch, which also clears
    the invitations). The purge boundary is written by the first batch, so a trend refresh between two
    committed batches never recomputes a day whose text is half gone.
    """
    if survey.retention_months is None:
        raise ValueError(f"survey {survey.slug!r} has no retention_months")
    cutoff = months_before(today, survey.retention_months)
    counts = PurgeCounts(survey.id, survey.slug, cutoff)
    old: Any = select(Response.id).where(Response.survey_id == survey.id, Response.submitted_on < cutoff)
    if batch is not None:
        if after_id is not None:
            old = old.where(Response.id > after_id)
        old = _ids(session, old.order_by(Response.id).limit(batch))
        counts.next_after = old[-1] if len(old) == batch else None
    text_questions = select(Question.id).where(Question.survey_id == survey.id, Question.type.in_(TEXT_TYPES))

    text_answers = _ids(session, select(Answer.id).where(
        Answer.response_id.in_(old), Answer.question_id.in_(text_questions)).order_by(Answer.id))
    other_texts = _ids(session, select(Answer.id).where(
        Answer.response_id.in_(old), Answer.question_id.not_in(text_questions), Answer.text.is_not(None)))
    analyses: list[int] = []
    touched: set[int] = set()
    for chunk in _chunks(text_answers + other_texts):
        analyses += _ids(session, select(TextAnalysis.id).where(TextAnalysis.answer_id.in_(chunk)))
        touched.update(_ids(session, select(Answer.response_id).where(Answer.id.in_(chunk))))
    corrections = 0
    for chunk in _chunks(text_answers + other_texts):
        corrections += len(_ids(session, select(AnalysisCorrection.id).where(AnalysisCorrection.answer_id.in_(chunk))))
    tags = 0
    for chunk in _chunks(analyses):
        tags += len(_ids(session, select(TopicTag.id).where(TopicTag.analysis_id.in_(chunk))))
    alerts = [(a_id, detail) for a_id, detail in session.execute(
        select(Alert.id, Alert.detail).where(Alert.response_id.in_(old))) if detail and "text" in detail]
    # JSON columns have no equality operator on PostgreSQL: empty ones are told apart here.
    stored = [(r_id, segment) for r_id, segment, consent in session.execute(
        select(Response.id, Response.segment, Response.contact_consent).where(Response.id.in_(old)))
        if segment or consent]
    segments = [r_id for r_id, _ in stored]
    pairs = segment_pairs(segment for _, segment in stored)
    # A closed case keeps its record (dates, status, whether the customer was contacted), not its notes.
    notes = _ids(session, select(Complaint.id).where(Complaint.response_id.in_(old), Complaint.status != "open",
                                                     Complaint.resolution.is_not(None)))
    cutoff_at = datetime.combine(cutoff, time(0), tzinfo=UTC)
    invitations = [i_id for i_id, email, attributes, draft in session.execute(
        select(Invitation.id, Invitation.email, Invitation.attributes, Invitation.draft)
        .where(Invitation.survey_id == survey.id, Invitation.created_at < cutoff_at))
        if email is not None or attributes or draft is not None] if counts.next_after is None else []
    counts.text_answers, counts.other_texts, counts.analyses = len(text_answers), len(other_texts), len(analyses)
    counts.topic_tags, counts.alert_texts, counts.segments = tags, len(alerts), len(segments)
    counts.corrections = corrections
    counts.invitations, counts.case_notes = len(invitations), len(notes)
    counts.responses = len(touched | set(segments))
    if dry_run:
        counts.trend_rows = drop_orphaned_segment_rows(session, survey, pairs, dry_run=True,
                                                       kept=Response.submitted_on >= cutoff)
        return counts

    for chunk in _chunks(text_answers + other_texts):  # their topics go with them (ON DELETE CASCADE)
        session.execute(delete(AnalysisCorrection).where(AnalysisCorrection.answer_id.in_(chunk)))
    for chunk in _chunks(analyses):
        session.execute(delete(TopicTag).where(TopicTag.analysis_id.in_(chunk)))
        session.execute(delete(TextAnalysis).where(TextAnalysis.id.in_(chunk)))
    for chunk in _chunks(text_answers):
        session.execute(delete(Answer).where(Answer.id.in_(chunk)))
    for chunk in _chunks(other_texts):
        session.execute(update(Answer).where(Answer.id.in_(chunk)).values(text=None, text_state="none"))
    for alert_id, detail in alerts:
        session.execute(update(Alert).where(Alert.id == alert_id)
                        .values(detail={k: v for k, v in detail.items() if k != "text"}))
    for chunk in _chunks(segments):
        session.execute(update(Response).where(Response.id.in_(chunk)).values(segment={}, contact_consent=False))
    for chunk in _chunks(notes):
        session.execute(update(Complaint).where(Complaint.id.in_(chunk)).values(resolution=None))
    for chunk in _chunks(invitations):
        session.execute(update(Invitation).where(Invitation.id.in_(chunk))
                        .values(email=None, attributes={}, draft=None))
    counts.trend_rows = drop_orphaned_segment_rows(session, survey, pairs)
    if survey.text_purged_before is None or survey.text_purged_before < cutoff:
        # In SQL, not on the object: a purge boundary is not a change to the survey's definition.
        session.execute(update(Survey).where(Survey.id == survey.id).values(text_purged_before=cutoff))
        session.expire(survey, ["text_purged_before"])
    return counts

