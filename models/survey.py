"""Surveys, their questions, and the topic taxonomy each survey is tagged against."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Connection, ForeignKey, Integer, String, Text, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from models.base import Base, utcnow

AUDIENCES = ("customer", "worker")
# The smallest thresholds an admin may set, per audience: a worker reports on their own workplace, where a
# group of two is a person and a colleague. Figures need 3 people, comments 5.
THRESHOLD_FLOORS: dict[str, dict[str, int]] = {"worker": {"min_group_size": 3, "min_comment_group_size": 5}}
QUESTION_TYPES = (
    "nps",
    "csat",
    "ces",
    "rating",
    "likert",
    "matrix",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "short_text",
    "long_text",
    "site",
    "department",
    "consent",
)
TEXT_TYPES = ("short_text", "long_text")


class Taxonomy(Base):
    """A topic taxonomy in the documented YAML format (`topics: [{name, description, examples, keywords}]`)."""

    __tablename__ = "taxonomies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="custom")
    source_yaml: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("audience IN ('customer', 'worker')", name="audience"),
        CheckConstraint("retention_months IS NULL OR retention_months > 0", name="retention_months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20), default="customer")
    # Texts shown around the questions, per language: {"en": {"title": .., "intro": .., "thanks": ..}}
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    languages: Mapped[list[str]] = mapped_column(default=lambda: ["en"])
    default_language: Mapped[str] = mapped_column(String(10), default="en")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    response_cap: Mapped[int | None]
    # Answers one network address may send per minute (twice that in a burst); None: the site's default,
    # ten times higher on worker surveys, whose reports come from a shared shop-floor address.
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    # Anonymity thresholds: smallest group shown as figures, and as comments.
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    min_comment_group_size: Mapped[int] = mapped_column(Integer, default=10)
    # Months free text and contact data are kept (None: until deleted by hand); see models/privacy.
    retention_months: Mapped[int | None] = mapped_column(Integer)
    # Free text of responses submitted before this day has been purged: those days' trend rows are the
    # record now and are never recomputed from what is left of their answers.
    text_purged_before: Mapped[date | None]
    taxonomy_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomies.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived: Mapped[bool] = mapped_column(default=False)
    # Bumped in the database by every ORM change to the survey or one of its questions (see the events
    # below), so a process may keep the survey's definition while the revision it read still matches.
    # A change made in SQL by hand must bump it too.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )
    taxonomy: Mapped[Taxonomy | None] = relationship()


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)
    page: Mapped[int] = mapped_column(default=1)
    required: Mapped[bool] = mapped_column(default=False)
    # {"en": {"label": .., "help": .., "options": {"value": "label"}, "statements": {...}}, "de": {...}}
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Choice values in display order, e.g. ["email", "phone", "other"].
    options: Mapped[list[Any]] = mapped_column(default=list)
    # Type-specific settings: max_length, min/max for ratings, statements for a matrix, allow_other.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Display condition: {"question": "<key>", "in": [values]} — shown only when met.
    condition: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    survey: Mapped[Survey] = relationship(back_populates="questions")


# Always `revision + 1` in SQL, never a value computed from the loaded object: a copy loaded earlier (or
# bumped behind its back by a question's event) must not write back a revision already handed out.
@event.listens_for(Survey, "before_update")
def _survey_changed(_mapper: Mapper[Survey], _conn: Connection, target: Survey) -> None:
    target.revision = Survey.revision + 1  # a SQL expression, applied at flush


def _bump_survey(conn: Connection, survey_id: int | None) -> None:
    if survey_id is not None:
        conn.execute(update(Survey).where(Survey.id == survey_id).values(revision=Survey.revision + 1))


@event.listens_for(Question, "after_insert")
@event.listens_for(Question, "after_update")
@event.listens_for(Question, "after_delete")
def _question_changed(_mapper: Mapper[Question], conn: Connection, target: Question) -> None:
    _bump_survey(conn, target.survey_id)
