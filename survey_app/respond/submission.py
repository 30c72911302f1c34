"""Storing what a respondent sends: the final answers, or a draft on a personal link.

These are the only writes of the respondent pages, and each is one short transaction after all the
reading (`Database.read_then_write`): which page to show and which problems to report were worked out
before, without SQLite's write lock. They raise AlreadyAnswered when the personal link was used in the
meantime, and DatabaseBusy when nothing could be stored right now; the survey stays loaded either way,
so the caller can show the form again with everything typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from models import Invitation, Survey
from survey_app.extensions import Database
from survey_app.respond.answers import Parsed, Problem, is_answered, required_problem
from survey_app.respond.conditions import Visibility
from survey_app.respond.definitions import QuestionDef
from survey_app.respond.services import AlreadyAnswered, Submitted, save_invitation_draft, submit_response
from survey_app.respond.state import Draft, draft_to_json


@dataclass(frozen=True)
class Answers:
    """A complete, validated set of answers to store."""

    survey: Survey
    questions: list[QuestionDef]  # the questions shown to this respondent (hidden ones store nothing)
    parsed: Parsed
    language: str
    invitation: Invitation | None = None
    site_id: int | None = None


def problems(vis: Visibility, parsed: Parsed, questions: list[QuestionDef]) -> dict[str, Problem]:
    """Problems of the shown `questions` only: a hidden question is never validated."""
    out: dict[str, Problem] = {}
    for q in questions:
        if not vis.shown(q):
            continue
        if q.key in parsed.problems:
            out[q.key] = parsed.problems[q.key]
        elif q.required and not is_answered(parsed.values.get(q.key)):
            out[q.key] = required_problem(q)
    return out


@dataclass(frozen=True)
class ShowPage:
    """Show this page of the form again, with these problems (none: the respondent moves on)."""

    page: int
    problems: dict[str, Problem]


def next_step(vis: Visibility, parsed: Parsed, page: int, nav: str) -> ShowPage | None:
    """Where a posted page leads: back, the same page with its problems, the next page, the first page
    with a problem, or None when every shown answer is valid and the response can be stored."""
    if nav == "back":
        return ShowPage(vis.previous_page(page) or page, {})
    found = problems(vis, parsed, vis.on_page(page))
    if found:
        return ShowPage(page, found)
    following = vis.next_page(page)
    if following is not None:
        return ShowPage(following, {})
    found = problems(vis, parsed, vis.questions)
    if found:  # an earlier page changed meanwhile (a condition now shows a required question)
        return ShowPage(next(q.page for q in vis.questions if q.key in found), found)
    return None


def submit(db: Database, answers: Answers) -> Submitted:
    """Store the response and its answers in one short transaction (claiming the invitation, if any)."""
    try:
        with db.read_then_write(keep=(answers.survey,)) as session:
            return submit_response(
                session, answers.survey, answers.questions, answers.parsed.values, answers.parsed.others,
                language=answers.language, invitation=answers.invitation, site_id=answers.site_id,
            )
    except IntegrityError as exc:
        if answers.invitation is None:
            raise  # no unique key a racing submit could have taken: a real error
        raise AlreadyAnswered() from exc  # the unique invitation_id: a second click won the race


def save_draft(db: Database, survey: Survey, invitation: Invitation, draft: Draft) -> None:
    """Keep what was typed on a personal link, to carry on later from the same page."""
    with db.read_then_write(keep=(survey,)) as session:
        save_invitation_draft(session, invitation, draft_to_json(draft))
