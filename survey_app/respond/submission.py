"""Storing what a respondent sends: the final answers, or a draft on a personal link.

These are the only writes of the respondent pages, and each is one short transaction after all the
reading (`Database.read_then_write`): which page to show and which problems to report were worked out
before, without SQLite's write lock. They raise AlreadyAnswered when the personal link was used in the
meantime, and DatabaseBusy when nothing could be stored right now; the survey stays loaded either way,
so the caller can show the form again with everything typed.

Each filling-in of a survey is stored once: under the key of the submission id in its signed form state,
which a unique index holds to one response. A replay of the final POST (double tap, resend, a phone
retrying on a slow network) finds the stored response, before writing or by losing the race for the key,
and gets the same thank-you (the same receipt code) while storing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Invitation, Survey
from survey_app.extensions import Database
from survey_app.respond.answers import Parsed, Problem, is_answered, required_problem
from survey_app.respond.conditions import Visibility
from survey_app.respond.definitions import QuestionDef
from survey_app.respond.services import (
    AlreadyAnswered,
    Submitted,
    save_invitation_draft,
    stored_submission,
    submit_response,
)
from survey_app.respond.state import Draft, draft_to_json
from survey_app.respond.tokens import new_submission_id, submission_key


@dataclass(frozen=True)
class Answers:
    """A complete, validated set of answers to store."""

    survey: Survey
    questions: list[QuestionDef]  # the questions shown to this respondent (hidden ones store nothing)
    parsed: Parsed
    language: str
    invitation: Invitation | None = None
    site_id: int | None = None
    # The submission id from the signed form state; a fresh one stores a new response.
    submission: str = field(default_factory=new_submission_id)


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


def already_stored(session: Session, survey: Survey, submission: str) -> Submitted | None:
    """The response this submission id stored, when the POST at hand replays a final one."""
    return stored_submission(session, survey, submission_key(submission))


def submit(db: Database, answers: Answers) -> Submitted:
    """Store the response and its answers in one short transaction (claiming the invitation, if any);
    a replay that raced the first POST to the write returns what that POST stored."""
    key = submission_key(answers.submission)
    try:
        with db.read_then_write(keep=(answers.survey,)) as session:
            return submit_response(
                session, answers.survey, answers.questions, answers.parsed.values, answers.parsed.others,
                language=answers.language, invitation=answers.invitation, site_id=answers.site_id,
                submission_key=key,
            )
    except (IntegrityError, AlreadyAnswered) as exc:
        # Rolled back. Whoever won committed before this failed (a unique key or the invitation's row
        # lock waits for the other transaction's end), so a fresh read sees it.
        stored = stored_submission(db.session, answers.survey, key)
        if stored is not None:
            return stored  # the same submission, sent twice at once: one response, one thank-you
        if isinstance(exc, AlreadyAnswered):
            raise
        if answers.invitation is None:
            raise  # no other unique key a racing submit could have taken: a real error
        raise AlreadyAnswered() from exc  # the unique invitation_id: another filling-in won the race


def save_draft(db: Database, survey: Survey, invitation: Invitation, draft: Draft) -> None:
    """Keep what was typed on a personal link, to carry on later from the same page."""
    with db.read_then_write(keep=(survey,)) as session:
        save_invitation_draft(session, invitation, draft_to_json(draft))
