"""Respondent pages keep each survey's questions between requests only while its revision is unchanged:
every saved edit is seen by the very next request."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import Answer, Question, Survey
from survey_app.admin.services import delete_question, save_question, update_survey
from tests.factories import make_survey
from tests.respond.helpers import Respondent


def _revision(session: Session, survey: Survey) -> int:
    return int(session.scalar(select(Survey.revision).where(Survey.id == survey.id)) or 0)


def test_every_change_to_a_survey_or_its_questions_bumps_its_revision(db_session: Session) -> None:
    survey = make_survey(db_session)
    seen = [_revision(db_session, survey)]

    def changed() -> None:
        db_session.flush()
        seen.append(_revision(db_session, survey))
        assert seen[-1] > seen[-2]

    survey.questions[0].texts = {"en": {"label": "Changed"}}
    changed()
    survey.questions.append(Question(key="extra", type="csat", position=5))
    changed()
    db_session.delete(survey.questions[-1])
    changed()
    survey.archived = True
    changed()
    # A copy loaded before a question's change never writes back an older revision.
    q = db_session.get(Question, survey.questions[0].id)
    assert q is not None
    q.required = False
    db_session.flush()
    survey.title = "Renamed"
    changed()


def test_an_edit_is_shown_by_the_next_request(respondent: Respondent, db_session: Session) -> None:
    survey = make_survey(db_session, slug="edited", texts={"en": {"title": "Old title"}})
    db_session.commit()
    assert "How likely are you to recommend us?" in respondent.open("/s/edited").get_data(as_text=True)

    question = {"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": "Would you tell a friend?"}}}
    save_question(db_session, survey, question, "nps", actor_id=None)
    db_session.commit()
    html = respondent.open("/s/edited").get_data(as_text=True)
    assert "Would you tell a friend?" in html and "How likely" not in html

    delete_question(db_session, survey, "why", actor_id=None)
    db_session.commit()
    assert 'name="q-why"' not in respondent.open("/s/edited").get_data(as_text=True)

    update_survey(db_session, survey, {"texts": {"en": {"title": "New title"}}}, actor_id=None)
    db_session.commit()
    assert "New title" in respondent.open("/s/edited").get_data(as_text=True)


def test_a_submission_stores_the_edited_questions(respondent: Respondent, db_session: Session) -> None:
    survey = make_survey(db_session, slug="swapped")
    db_session.commit()
    respondent.open("/s/swapped")
    survey.questions[0].required = False
    survey.questions.append(Question(key="stars", type="csat", position=9, texts={"en": {"label": "Stars?"}}))
    db_session.commit()
    respondent.open("/s/swapped")
    assert respondent.submit({"stars": "4"}, nav="submit").status_code == 302
    stars = next(q for q in survey.questions if q.key == "stars")
    assert db_session.scalar(select(Answer.number).where(Answer.question_id == stars.id)) == 4.0


def test_unused_json_columns_stay_sql_null(respondent: Respondent, db_session: Session) -> None:
    make_survey(db_session, slug="nulls")
    db_session.commit()
    respondent.open("/s/nulls")
    respondent.submit({"nps": "9", "why": "Quick"}, nav="submit")
    # Bulk-inserted rows leave choices and grid out rather than storing the JSON text 'null'.
    nulls = db_session.scalar(select(func.count()).select_from(Answer)
                              .where(text("answers.choices IS NULL AND answers.grid IS NULL")))
    assert nulls == 2
