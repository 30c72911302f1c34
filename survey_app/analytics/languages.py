"""Answers the NLP pipeline could not analyse (a language its encoder cannot read), counted for a survey.

They still count in every response figure and can be read in the drill-down; only their sentiment
and topics are missing. Per-language counts below the survey's comment threshold are pooled, so a
lone answer in a rare language cannot single out who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Answer, Response, Survey, TextAnalysis


@dataclass(frozen=True)
class NotAnalysed:
    total: int  # answers with text that were not analysed
    analysed: int  # answers with text that were
    reasons: list[tuple[str, int]]  # ("not analysed: pl", 14), largest first; small ones pooled
    pooled: int = 0  # answers whose reason is pooled under "other languages"


def not_analysed_summary(session: Session, survey: Survey) -> NotAnalysed:
    """How many of a survey's text answers were not analysed, and why."""
    rows = session.execute(
        select(TextAnalysis.not_analysed, func.count())
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, TextAnalysis.no_text.is_(False))
        .group_by(TextAnalysis.not_analysed)
    ).all()
    counts = {reason: int(n) for reason, n in rows}
    analysed = counts.pop(None, 0)
    shown = sorted(((r, n) for r, n in counts.items() if n >= survey.min_comment_group_size),
                   key=lambda item: (-item[1], item[0]))
    pooled = sum(counts.values()) - sum(n for _, n in shown)
    return NotAnalysed(total=sum(counts.values()), analysed=analysed, reasons=shown, pooled=pooled)
