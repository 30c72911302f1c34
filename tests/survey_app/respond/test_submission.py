"""The respondent's writes without HTTP: submission.submit / save_draft and Database.read_then_write.

A write that finds SQLite locked past busy_timeout raises DatabaseBusy with nothing stored and the survey
still loaded (so the form can be shown again); a personal link answered twice raises AlreadyAnswered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

import models
import models.db
import survey_app.respond.submission as submission
from models import Answer, Invitation, Response, Survey
from models.db import begin_mode
from survey_app.distribution.invitations import create_invitations, parse_invitation_csv
from survey_app.extensions import DatabaseBusy, db
from survey_app.respond.answers import Problem, parse
from survey_app.respond.blueprint import DEFINITIONS_KEY
from survey_app.respond.conditions import Visibility
from survey_app.respond.definitions import QuestionDef
from survey_app.respond.services import AlreadyAnswered
from survey_app.respond.state import Draft
from tests.factories import make_survey
from tests.proof.conftest import ANSWERS, QUESTIONS, app_on, dispose


def _answers(app: Flask, survey: Survey, raw: dict[str, str], invitation: Invitation | None = None
             ) -> submission.Answers:
    questions = list(app.extensions[DEFINITIONS_KEY].questions(db.session, survey))
    parsed = parse(questions, {f"q-{k}": v for k, v in raw.items()}, default_language="en", site_ids=set(),
                   department_ids=set())
    return submission.Answers(survey, Visibility(questions, parsed.values).active(), parsed, "en", invitation)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_submit_stores_the_response_and_its_answers(app: Flask, db_session: Session) -> None:
    survey = make_survey(db_session, QUESTIONS, audience="worker")
    with app.test_request_context():
        stored = submission.submit(db, _answers(app, db.session.get(Survey, survey.id), ANSWERS))
    response = db_session.get(Response, stored.response_id)
    assert response is not None and response.survey_id == survey.id
    assert stored.receipt_code and response.receipt_code == stored.receipt_code  # workers get a receipt
    texts = db_session.scalars(select(Answer.text).where(Answer.response_id == response.id)).all()
    assert "Quick delivery" in texts and len(texts) == 3


def test_a_personal_link_answers_once_and_keeps_a_draft(app: Flask, db_session: Session) -> None:
    survey = make_survey(db_session, QUESTIONS)
    (inv,) = create_invitations(db_session, survey, parse_invitation_csv("email\nann@example.org\n"))
    with app.test_request_context():
        s, i = db.session.get(Survey, survey.id), db.session.get(Invitation, inv.id)
        assert s is not None and i is not None
        submission.save_draft(db, s, i, Draft(1, {"q-why": "half typed"}))
    db_session.refresh(inv)
    assert inv.draft is not None and "half typed" in str(inv.draft)
    with app.test_request_context():
        s, i = db.session.get(Survey, survey.id), db.session.get(Invitation, inv.id)
        assert s is not None
        submission.submit(db, _answers(app, s, ANSWERS, i))
    with app.test_request_context():
        s, i = db.session.get(Survey, survey.id), db.session.get(Invitation, inv.id)
        assert s is not None
        with pytest.raises(AlreadyAnswered):
            submission.submit(db, _answers(app, s, ANSWERS, i))
    db_session.refresh(inv)
    assert inv.used_at is not None and inv.draft is None
    assert db_session.scalar(select(func.count()).where(Response.survey_id == survey.id)) == 1


def test_problems_are_those_of_shown_questions_only(app: Flask, db_session: Session) -> None:
    questions = [
        {"key": "contacted", "type": "yes_no", "required": True, "texts": {"en": {"label": "Contacted?"}}},
        {"key": "how", "type": "short_text", "required": True, "condition": {"question": "contacted", "in": ["yes"]},
         "texts": {"en": {"label": "How?"}}},
    ]
    survey = make_survey(db_session, questions)
    with app.test_request_context():
        for raw, expected in (({}, {"contacted"}), ({"contacted": "no"}, set()), ({"contacted": "yes"}, {"how"})):
            answers = _answers(app, db.session.get(Survey, survey.id), raw)
            all_questions = list(app.extensions[DEFINITIONS_KEY].questions(db.session, answers.survey))
            vis = Visibility(all_questions, answers.parsed.values)
            assert set(submission.problems(vis, answers.parsed, all_questions)) == expected, raw


@pytest.fixture()
def file_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Flask, str]]:
    """An app on a SQLite file of its own (real commits, a real lock) with a short busy_timeout."""
    monkeypatch.setattr(models.db, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "busy.db"
    app = app_on(f"sqlite:///{path}", tmp_path / "instance")
    models.Base.metadata.create_all(app.extensions["heedful.db"].engine)
    yield app, str(path)
    dispose(app)


def test_locked_database_is_database_busy_with_nothing_stored_and_the_survey_still_loaded(
    file_app: tuple[Flask, str],
) -> None:
    app, path = file_app
    with app.app_context():
        survey_id = make_survey(db.session, QUESTIONS, title="Delivery survey").id
        db.session.commit()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holding the write lock past busy_timeout
    try:
        # Read as a respondent request does (Database.reads_first): without taking the write lock.
        with app.test_request_context(), begin_mode("DEFERRED"):
            survey = db.session.get(Survey, survey_id)
            assert survey is not None
            answers = _answers(app, survey, ANSWERS)
            with pytest.raises(DatabaseBusy, match="locked"):
                submission.submit(db, answers)
            # Still loaded, not expired by the rollback: the form can be shown again without the database.
            assert not inspect(survey).expired_attributes and survey.__dict__["title"] == "Delivery survey"
    finally:
        blocker.rollback()
        blocker.close()
    with app.test_request_context():
        assert _count(db.session, Response) == 0  # nothing half-written
        submission.submit(db, _answers(app, db.session.get(Survey, survey_id), ANSWERS))  # sending again works
        assert _count(db.session, Response) == 1 and _count(db.session, Answer) == 3


def _def(key: str, page: int, type_: str = "yes_no", required: bool = True,
         condition: dict[str, object] | None = None) -> QuestionDef:
    return QuestionDef(id=0, key=key, type=type_, position=0, page=page, required=required,
                       texts={"en": {"label": key}}, options=[], settings={}, condition=condition)


def _step(questions: list[QuestionDef], raw: dict[str, str], page: int, nav: str = "next"
          ) -> submission.ShowPage | None:
    parsed = parse(questions, {f"q-{k}": v for k, v in raw.items()}, default_language="en", site_ids=set(),
                   department_ids=set())
    return submission.next_step(Visibility(questions, parsed.values), parsed, page, nav)


def test_next_step_walks_the_pages_and_stops_at_problems() -> None:
    questions = [_def("first", 1), _def("second", 2), _def("why", 3, "short_text", required=True,
                                                           condition={"question": "first", "in": ["no"]})]
    assert _step(questions, {}, 1) == submission.ShowPage(1, {"first": ANY_PROBLEM})
    assert _step(questions, {"first": "yes"}, 1) == submission.ShowPage(2, {})
    assert _step(questions, {"first": "yes"}, 2, nav="back") == submission.ShowPage(1, {})
    assert _step(questions, {"first": "yes"}, 1, nav="back") == submission.ShowPage(1, {})  # nowhere to go back to
    # Page 3 only shows after a "no": with "yes" the last page is 2, and a complete answer is ready to store.
    assert _step(questions, {"first": "yes", "second": "no"}, 2) is None
    assert _step(questions, {"first": "no", "second": "no"}, 2) == submission.ShowPage(3, {})
    assert _step(questions, {"first": "no", "second": "no"}, 3) == submission.ShowPage(3, {"why": ANY_PROBLEM})
    # Sent from the last page with an earlier required answer missing: back to that page, with its problem.
    assert _step(questions, {"second": "no"}, 2) == submission.ShowPage(1, {"first": ANY_PROBLEM})


class _AnyProblem:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem)


ANY_PROBLEM: Any = _AnyProblem()


def test_the_same_submission_stores_once(app: Flask, db_session: Session) -> None:
    """Sent twice (a replay that got past the first look-up): the second finds the first's response."""
    survey = make_survey(db_session, QUESTIONS, audience="worker")
    with app.test_request_context():
        answers = _answers(app, survey, ANSWERS)
        first = submission.submit(db, answers)
        replay = submission.submit(db, answers)  # the same submission id: the unique key refuses a second row
        other = submission.submit(db, _answers(app, survey, ANSWERS))  # a new filling-in of the survey
    assert replay == first and first.receipt_code is not None and other.response_id != first.response_id
    assert _count(db_session, Response) == 2
