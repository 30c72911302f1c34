"""What the NLP pipeline derived from a free-text answer. Every row names the model that produced it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.response import Answer

TAG_SOURCES = ("taxonomy", "discovered", "analyst")


class TextAnalysis(Base):
    """Worker answers' analyses take an anonymous id and the day as `analyzed_at` (models.anonymity)."""

    __tablename__ = "text_analyses"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # One current analysis per answer: a re-score replaces it in place (upsert on answer_id).
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    redacted_text: Mapped[str] = mapped_column(Text)
    redacted_kinds: Mapped[list[str]] = mapped_column(default=list)
    no_text: Mapped[bool] = mapped_column(default=False)
    sentiment_label: Mapped[str] = mapped_column(String(10), index=True)
    sentiment_score: Mapped[float] = mapped_column(Float)
    sentiment_confidence: Mapped[float] = mapped_column(Float)
    mixed: Mapped[bool] = mapped_column(default=False)
    # [{"text", "start", "end", "label", "score"}] for highlighting topic sentences.
    sentences: Mapped[list[Any]] = mapped_column(default=list)
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    urgency_score: Mapped[float] = mapped_column(Float, default=0.0)
    urgency_reason: Mapped[str | None] = mapped_column(String(300))
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(80))
    analyzed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # ISO 639-1 of the answer; NULL when none could be told, or for rows scored before detection existed.
    language: Mapped[str | None] = mapped_column(String(8))
    # "not analysed: pl" when the encoder cannot read the language: sentiment and topics were not scored.
    not_analysed: Mapped[str | None] = mapped_column(String(60), index=True)

    answer: Mapped[Answer] = relationship()
    tags: Mapped[list[TopicTag]] = relationship(back_populates="analysis", cascade="all, delete-orphan")


class TopicTag(Base):
    __tablename__ = "topic_tags"
    __table_args__ = (UniqueConstraint("analysis_id", "topic", "source"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("text_analyses.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(120), index=True)
    score: Mapped[float] = mapped_column(Float)
    is_top: Mapped[bool] = mapped_column(default=False)
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentence_indexes: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(12), default="taxonomy")

    analysis: Mapped[TextAnalysis] = relationship(back_populates="tags")


class Theme(Base):
    """An emerging theme found by clustering answers no taxonomy topic covers."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(default=list)
    size: Mapped[int] = mapped_column(default=0)
    answer_ids: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(12), default="new")  # new | promoted | dismissed
    discovered_at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
