"""Nightly emerging-theme discovery: cluster recent comments that no taxonomy topic covers well."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.runs import RunStats, recorded_run, with_retry
from models.analysis import TextAnalysis, Theme, TopicTag
from models.anonymity import day_stamp
from models.response import Answer, Response
from models.survey import Survey

if TYPE_CHECKING:
    from nlp.types import Theme as NlpTheme

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
# A comment whose best taxonomy topic scores below this is "not covered" (tag scores are calibrated
# probabilities; 0.5 is where the tagger stops being more sure than not).
LOW_TOPIC_SCORE = 0.5
MIN_TEXTS = 10  # fewer uncovered comments than this: nothing worth clustering
MAX_TEXTS = 5000  # bound the nightly work; the newest comments are the interesting ones


def uncovered_comments(session: Session, survey_id: int, since: object) -> list[tuple[int, str]]:
    best = (
        select(TopicTag.analysis_id, func.max(TopicTag.score).label("best"))
        .where(TopicTag.source == "taxonomy").group_by(TopicTag.analysis_id).subquery()
    )
    rows = session.execute(
        select(TextAnalysis.answer_id, TextAnalysis.redacted_text)
        .join(Answer, Answer.id == TextAnalysis.answer_id).join(Response, Response.id == Answer.response_id)
        .outerjoin(best, best.c.analysis_id == TextAnalysis.id)
        .where(Response.survey_id == survey_id, Response.submitted_on >= since, TextAnalysis.no_text.is_(False),
               TextAnalysis.not_analysed.is_(None),  # the encoder cannot read these: no clusters of them
               or_(best.c.best.is_(None), best.c.best < LOW_TOPIC_SCORE))
        .order_by(TextAnalysis.answer_id.desc()).limit(MAX_TEXTS)
    ).all()
    return [(answer_id, text) for answer_id, text in rows]


def discover_emerging_themes(ctx: JobContext) -> RunStats:
    """Replace each survey's `new` themes with tonight's clusters (promoted/dismissed ones are kept)."""
    with recorded_run(ctx, "themes") as run:
        since = (ctx.now() - timedelta(days=WINDOW_DAYS)).date()
        with ctx.sessions() as s:
            surveys = list(s.scalars(
                select(Response.survey_id).where(Response.submitted_on >= since).distinct().order_by(Response.survey_id)
            ))
            texts_by_survey = {sid: uncovered_comments(s, sid, since) for sid in surveys}
            worker = set(s.scalars(select(Survey.id).where(Survey.id.in_(surveys), Survey.audience == "worker")))
        for survey_id, items in texts_by_survey.items():
            if ctx.stop.is_set():
                break
            if len(items) < MIN_TEXTS:
                continue
            found = ctx.theme_finder()([text for _id, text in items])
            run.claimed += len(items)

            def store(
                survey_id: int = survey_id, items: list[tuple[int, str]] = items, found: list[NlpTheme] = found
            ) -> int:
                with ctx.sessions() as s, s.begin():
                    kept = set(s.scalars(select(Theme.label).where(
                        Theme.survey_id == survey_id, Theme.status != "new")))
                    s.execute(delete(Theme).where(Theme.survey_id == survey_id, Theme.status == "new"))
                    n = 0
                    for theme in found:
                        if theme.label in kept:
                            continue  # an analyst already promoted or dismissed this one
                        s.add(Theme(
                            survey_id=survey_id, label=theme.label[:200], keywords=list(theme.keywords),
                            size=theme.size, answer_ids=[items[i][0] for i in theme.member_indexes],
                            # A worker survey's themes come from reports: the day only (models.anonymity).
                            discovered_at=day_stamp(ctx.now()) if survey_id in worker else ctx.now(),
                            extra={"window_days": WINDOW_DAYS, "candidates": len(items)},
                        ))
                        n += 1
                    return n

            run.processed += with_retry(store, f"themes: survey {survey_id}")
    return run
