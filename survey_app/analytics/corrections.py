"""Analyst corrections of a comment's sentiment, urgency and topics: validate, store, audit, queue trends.

The model's TextAnalysis row stays as the model wrote it; the correction sits beside it (models.correction)
so no re-score can overwrite it. Whatever counts or filters comments by label asks this module for the
label that holds: the analyst's where there is one, else the model's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from models import (
    AnalysisCorrection,
    Answer,
    CorrectionTopic,
    Response,
    Survey,
    TextAnalysis,
    TopicTag,
    User,
)
from models.anonymity import day_stamp, unused_anonymous_ids
from models.audit import record_audit
from models.base import utcnow
from models.correction import CORRECTION_LABELS
from models.queue import mark_trend_dirty
from models.trend import ALL, TrendRow
from survey_app.analytics.comments import response_hidden

MAX_TOPICS = 20


class CorrectionRefused(Exception):
    """The correction was not stored; `status` is the HTTP status that says why (400, 403 or 404)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CorrectionNote:
    """What the drill-down shows of a correction: the analyst's values beside the model's current ones."""

    sentiment_label: str
    urgent: bool
    topics: list[str]
    model_sentiment_label: str
    model_urgent: bool
    model_topics: list[str]
    corrected_by: str | None
    corrected_at: datetime
    # "not analysed: pl": the model scored no sentiment or topics, so its label is a placeholder.
    model_not_analysed: str | None = None

    @property
    def sentiment_changed(self) -> bool:
        return self.model_not_analysed is None and self.sentiment_label != self.model_sentiment_label

    @property
    def urgency_changed(self) -> bool:
        return self.urgent != self.model_urgent

    @property
    def topics_removed(self) -> list[str]:
        return [t for t in self.model_topics if t not in self.topics]


def known_topics(session: Session, survey: Survey) -> list[str]:
    """Topics an analyst may pick for this survey's comments: its taxonomy's, and any the model has used."""
    names: set[str] = set(session.scalars(
        select(TrendRow.topic).where(TrendRow.survey_id == survey.id, TrendRow.topic != ALL).distinct()
    ))
    names.update(session.scalars(
        select(TopicTag.topic).join(TextAnalysis, TextAnalysis.id == TopicTag.analysis_id)
        .join(Answer, Answer.id == TextAnalysis.answer_id).join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id).distinct()
    ))
    if survey.taxonomy is not None:
        names.update(_taxonomy_topics(survey.taxonomy.source_yaml))
    return sorted(names)


def _taxonomy_topics(source_yaml: str) -> list[str]:
    # The taxonomy was validated when it was saved; a damaged one only means fewer choices here.
    try:
        doc = yaml.safe_load(source_yaml)
    except yaml.YAMLError:
        return []
    topics = doc.get("topics") if isinstance(doc, dict) else None
    return [str(t["name"]) for t in topics or [] if isinstance(t, dict) and t.get("name")]


def readable_analysis(session: Session, survey: Survey, analysis_id: int) -> tuple[TextAnalysis, Response]:
    """The analysis of one of `survey`'s comments that the drill-down would show, or CorrectionRefused."""
    row = session.execute(
        select(TextAnalysis, Response)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(TextAnalysis.id == analysis_id, Response.survey_id == survey.id, TextAnalysis.no_text.is_(False))
    ).first()
    if row is None:
        raise CorrectionRefused(404, f"This survey has no comment {analysis_id}.")
    reason = response_hidden(session, survey, row[1])
    if reason:
        raise CorrectionRefused(403, reason)
    return row[0], row[1]


def save_correction(
    session: Session,
    survey: Survey,
    analysis_id: int,
    user: User,
    *,
    sentiment: str,
    urgent: bool,
    topics: Iterable[str],
) -> AnalysisCorrection:
    """Store the analyst's view of one comment (replacing an earlier one), audit it, queue its trend day.

    Raises CorrectionRefused (nothing stored) for an unknown label or topic, or a comment the user may not read.
    """
    # Whether the comment may be read comes first (404/403), then what was sent (400).
    analysis, response = readable_analysis(session, survey, analysis_id)
    if sentiment not in CORRECTION_LABELS:
        labels = ", ".join(CORRECTION_LABELS)
        raise CorrectionRefused(400, f"Unknown sentiment label {sentiment!r}: use one of {labels}.")
    chosen = sorted(set(topics))
    if len(chosen) > MAX_TOPICS:
        raise CorrectionRefused(400, f"At most {MAX_TOPICS} topics per comment.")
    allowed = set(known_topics(session, survey))
    unknown = [t for t in chosen if t not in allowed]
    if unknown:
        raise CorrectionRefused(400, f"Unknown topic {unknown[0]!r}: pick one of this survey's topics.")

    model_topics = sorted(session.scalars(
        select(TopicTag.topic).where(TopicTag.analysis_id == analysis.id, TopicTag.source != "analyst")
    ).unique())
    snapshot = {
        "model_sentiment_label": analysis.sentiment_label, "model_urgent": analysis.urgent,
        "model_topics": model_topics, "model_name": analysis.model_name, "model_version": analysis.model_version,
        "model_not_analysed": analysis.not_analysed,
    }
    worker = survey.audience == "worker"
    correction, created = _upsert(session, analysis.answer_id, sentiment, urgent, snapshot, worker)
    before = None if created else _describe(correction)
    correction.sentiment_label = sentiment
    correction.urgent = urgent
    for key, value in snapshot.items():
        setattr(correction, key, value)
    correction.corrected_by_id = user.id
    # A worker report is reviewed minutes after it arrives: its review keeps the day and an anonymous id
    # (models.anonymity), like the acknowledgement of its alert.
    correction.corrected_at = day_stamp(utcnow()) if worker else utcnow()
    correction.topics = [CorrectionTopic(topic=t) for t in chosen]
    session.flush()
    # Old and new labels only: never the comment's text.
    # A worker report's review is done minutes after its alert: its entry keeps the day (worker_data).
    record_audit(session, "comment.correct", actor_id=user.id, target_type="analysis", target_id=analysis.id,
                 worker_data=worker, survey_id=survey.id, model=_describe_model(snapshot),
                 before=before, after=_describe(correction))
    # The day is the report's own (a date, never a time): trends of that period are rebuilt with the new label.
    mark_trend_dirty(session, survey.id, response.submitted_on)
    return correction


def _upsert(
    session: Session, answer_id: int, sentiment: str, urgent: bool, snapshot: dict[str, Any], worker: bool
) -> tuple[AnalysisCorrection, bool]:
    """The answer's correction row and whether it is new."""
    existing = session.scalar(select(AnalysisCorrection).where(AnalysisCorrection.answer_id == answer_id))
    if existing is not None:
        return existing, False
    # Two analysts saving the same comment at once: the second insert loses on the unique answer_id
    # and updates the row the first one made instead.
    fresh = AnalysisCorrection(answer_id=answer_id, sentiment_label=sentiment, urgent=urgent, **snapshot)
    if worker:
        fresh.id = unused_anonymous_ids(session, AnalysisCorrection.id, 1)[0]
    try:
        with session.begin_nested():
            session.add(fresh)
            session.flush()
    except IntegrityError:
        found = session.scalar(select(AnalysisCorrection).where(AnalysisCorrection.answer_id == answer_id))
        if found is None:
            raise
        return found, False
    return fresh, True


def _describe(c: AnalysisCorrection) -> dict[str, Any]:
    return {"sentiment": c.sentiment_label, "urgent": c.urgent, "topics": c.topic_names}


def _describe_model(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {"sentiment": snapshot["model_sentiment_label"], "urgent": snapshot["model_urgent"],
            "topics": snapshot["model_topics"], "name": snapshot["model_name"], "version": snapshot["model_version"]}


def notes_for(session: Session, analysis_ids: Sequence[int]) -> dict[int, CorrectionNote]:
    """Corrections of the given analyses, keyed by analysis id, beside the model's current values (after a
    re-score they may differ from what the analyst saw)."""
    if not analysis_ids:
        return {}
    rows = session.execute(
        select(AnalysisCorrection, TextAnalysis, User.email)
        .join(TextAnalysis, TextAnalysis.answer_id == AnalysisCorrection.answer_id)
        .outerjoin(User, User.id == AnalysisCorrection.corrected_by_id)
        .where(TextAnalysis.id.in_(analysis_ids))
        .options(selectinload(AnalysisCorrection.topics))
    ).all()
    tags: dict[int, set[str]] = {}
    for analysis_id, topic in session.execute(
        select(TopicTag.analysis_id, TopicTag.topic)
        .where(TopicTag.analysis_id.in_([a.id for _, a, _ in rows]), TopicTag.source != "analyst")
    ):
        tags.setdefault(analysis_id, set()).add(topic)
    return {
        a.id: CorrectionNote(
            sentiment_label=c.sentiment_label, urgent=c.urgent, topics=c.topic_names,
            model_sentiment_label=a.sentiment_label, model_urgent=a.urgent,
            model_topics=sorted(tags.get(a.id, set())), corrected_by=email, corrected_at=c.corrected_at,
            model_not_analysed=a.not_analysed,
        )
        for c, a, email in rows
    }
