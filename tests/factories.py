"""Row factories for tests: small functions that add a valid object and return it (flushed, not committed)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import Answer, Department, Question, Response, Site, Survey
from models.anonymity import anonymous_id

_seq = itertools.count(1)


def make_site(session: Session, **kw: Any) -> Site:
    n = next(_seq)
    site = Site(code=kw.pop("code", f"site-{n}"), name=kw.pop("name", f"Site {n}"), **kw)
    session.add(site)
    session.flush()
    return site


def make_department(session: Session, **kw: Any) -> Department:
    n = next(_seq)
    dep = Department(code=kw.pop("code", f"dep-{n}"), name=kw.pop("name", f"Department {n}"), **kw)
    session.add(dep)
    session.flush()
    return dep


def make_survey(session: Session, questions: list[dict[str, Any]] | None = None, **kw: Any) -> Survey:
    """A survey with NPS + comment questions unless `questions` (dicts of Question fields) is given."""
    n = next(_seq)
    survey = Survey(slug=kw.pop("slug", f"survey-{n}"), title=kw.pop("title", f"Survey {n}"), **kw)
    specs = questions if questions is not None else [
        {"key": "nps", "type": "nps", "required": True,
         "texts": {"en": {"label": "How likely are you to recommend us?"}}},
        {"key": "why", "type": "long_text", "texts": {"en": {"label": "What is the main reason?"}},
         "settings": {"max_length": 2000}},
    ]
    for pos, spec in enumerate(specs):
        survey.questions.append(Question(position=pos, **spec))
    session.add(survey)
    session.flush()
    return survey


def make_response(
    session: Session, survey: Survey, answers: dict[str, Any], day: date | None = None, **kw: Any
) -> Response:
    """A response answering questions by key: numbers, text (queued for scoring) or lists of choices."""
    by_key = {q.key: q for q in survey.questions}
    # Worker rows take anonymous ids, as the respond form gives them (models.anonymity).
    anonymous = survey.audience == "worker"
    if anonymous:
        kw.setdefault("id", anonymous_id())
    resp = Response(survey_id=survey.id, submitted_on=day or date.today(), **kw)
    for key, value in answers.items():
        q = by_key[key]
        a = Answer(question_id=q.id, id=anonymous_id() if anonymous else None)
        if isinstance(value, str):
            a.text = value
            a.text_state = "pending" if value.strip() else "none"
        elif isinstance(value, list):
            a.choices = value
        elif isinstance(value, dict):
            a.grid = value
        else:
            a.number = float(value)
        resp.answers.append(a)
    session.add(resp)
    session.flush()
    return resp
