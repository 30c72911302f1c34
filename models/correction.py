"""An analyst's review of one analysed answer: the sentiment, urgency and topics the analyst says are right.

The model's own analysis (models.analysis.TextAnalysis) is never edited: a re-score or backfill rewrites
it in place, and the correction lives beside it, keyed on the answer. Readers that count or show labels
(trends, the drill-down) read the correction where one exists. The model's answer at review time is
kept too, so agreement is measured against the model the analyst actually judged, not a later one.

A correction belongs to its answer: erasing the answer (or its response) deletes the correction with
it (ON DELETE CASCADE), and its topics with it in turn.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.response import Answer

CORRECTION_LABELS = ("negative", "neutral", "positive")


class AnalysisCorrection(Base):
    __tablename__ = "analysis_corrections"
    # Reviews of worker reports take anonymous (negative) ids: AUTOINCREMENT keeps them out of the sequence.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # One current review per answer; a second review replaces the first (the audit log keeps both).
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    sentiment_label: Mapped[str] = mapped_column(String(10), index=True)
    urgent: Mapped[bool]
    # What the model said when the analyst reviewed it: the struck-through label and the agreement figures.
    model_sentiment_label: Mapped[str] = mapped_column(String(10))
    model_urgent: Mapped[bool]
    model_topics: Mapped[list[str]] = mapped_column(default=list)
    # "not analysed: pl" when the model could not read the answer: its label was a placeholder, not a
    # judgement, so the review does not count towards agreement on sentiment.
    model_not_analysed: Mapped[str | None] = mapped_column(String(60))
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(80))
    # The analyst's own time (never a respondent's): a worker report keeps only its day elsewhere.
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    answer: Mapped[Answer] = relationship()
    topics: Mapped[list[CorrectionTopic]] = relationship(
        back_populates="correction", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CorrectionTopic.topic",
    )

    @property
    def topic_names(self) -> list[str]:
        return [t.topic for t in self.topics]


class CorrectionTopic(Base):
    """One topic the analyst says the answer is about (the full set replaces the model's tags)."""

    __tablename__ = "correction_topics"

    correction_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_corrections.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)

    correction: Mapped[AnalysisCorrection] = relationship(back_populates="topics")
