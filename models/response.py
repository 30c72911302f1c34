"""Submitted responses and their answers; free-text answers carry their place in the scoring queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.survey import Question, Survey

# Scoring states of a free-text answer. `none` = no text to score.
TEXT_STATES = ("none", "pending", "claimed", "scored", "failed")


class Response(Base):
    """One submission. Worker responses keep the day only: no IP, no user agent, no exact time, and an
    anonymous id (models.anonymity) instead of one from the sequence, like their answers."""

    __tablename__ = "responses"
    # AUTOINCREMENT on SQLite: worker rows take anonymous (negative) ids, which must not move the
    # sequence of customer ids (models.anonymity).
    __table_args__ = (Index("ix_responses_survey_day", "survey_id", "submitted_on"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # Unique: exactly one response per invitation, even when two submits race.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(10), default="en")
    submitted_on: Mapped[date]
    # Exact time for customer responses only; None for worker responses by design.
    submitted_at: Mapped[datetime | None]
    # Segment attributes copied from the invitation at submit time (region, channel, ...).
    segment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    receipt_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # SHA-256 of the submission id carried in the respondent's signed form state (never the id itself):
    # unique, so a replayed final POST cannot store a second response. Random, so it neither orders nor
    # times a worker report; NULL on rows stored before submission ids.
    submission_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    contact_consent: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_text_state", "text_state", "claimed_until"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[Any] | None] = mapped_column(default=None)
    # Matrix answers: {"statement_key": 1..5}
    grid: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    text_state: Mapped[str] = mapped_column(String(10), default="none")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None]

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
