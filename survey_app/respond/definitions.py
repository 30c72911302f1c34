"""A per-process copy of each survey's questions, kept while the survey's revision in the database matches.

Every respondent request still reads the survey row (status, texts, revision) from the database; only the
questions, which change when an editor saves and bump `Survey.revision` when they do, are kept between
requests. A saved edit is therefore seen by the next request in every process, with no expiry to wait for.
The copies are plain frozen values shared by threads: nothing here may be modified in place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Question, Survey


@dataclass(frozen=True, slots=True)
class QuestionDef:
    """What answering needs of a Question row (same attribute names, so templates read either)."""

    id: int
    key: str
    type: str
    position: int
    page: int
    required: bool
    texts: dict[str, Any]
    options: list[Any]
    settings: dict[str, Any]
    condition: dict[str, Any] | None

    @classmethod
    def of(cls, q: Question) -> QuestionDef:
        return cls(q.id, q.key, q.type, q.position, q.page, q.required, q.texts or {}, q.options or [],
                   q.settings or {}, q.condition)


# The survey's id, creation time and revision: the id alone could name a new survey after a delete.
Key = tuple[int, datetime, int]


class DefinitionCache:
    """Questions of recently answered surveys, least recently used dropped first."""

    def __init__(self, max_surveys: int = 256) -> None:
        self.max_surveys = max_surveys
        self._entries: OrderedDict[int, tuple[Key, tuple[QuestionDef, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def questions(self, session: Session, survey: Survey) -> tuple[QuestionDef, ...]:
        """The survey's questions in page order, read from the database when its revision has moved on."""
        key: Key = (survey.id, survey.created_at, survey.revision)
        with self._lock:
            entry = self._entries.get(survey.id)
            if entry is not None and entry[0] == key:
                self._entries.move_to_end(survey.id)
                return entry[1]
        rows = session.scalars(
            select(Question).where(Question.survey_id == survey.id).order_by(Question.page, Question.position)
        )
        loaded = tuple(QuestionDef.of(q) for q in rows)
        with self._lock:
            # Read after the survey row, the questions are at least as new as `key` says: never older.
            self._entries[survey.id] = (key, loaded)
            self._entries.move_to_end(survey.id)
            while len(self._entries) > self.max_surveys:
                self._entries.popitem(last=False)
        return loaded
