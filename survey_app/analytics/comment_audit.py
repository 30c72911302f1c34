"""Who read which comments: one audit entry per drill-down page or API page of comments.

The entry names the reader, the survey, the filter and which analyses were on the page (ids), so "who saw
this comment?" has an answer. It never copies a comment, and records only that a text search was used,
not the words searched for (an analyst may search for a person's name). Entries about a worker survey
keep the day only, under an anonymous id.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Survey
from models.audit import record_audit
from survey_app.analytics.comments import CommentFilter, CommentPage


def record_comment_view(session: Session, actor_id: int, survey: Survey, f: CommentFilter, result: CommentPage,
                        via: str) -> None:
    """Add the audit entry of one page of comments shown (or refused as too small a group)."""
    record_audit(
        session, "comments.view", actor_id=actor_id, target_type="survey", target_id=survey.id, via=via,
        period_type=f.period_type, period_start=f.period_start.isoformat() if f.period_start else None,
        segment_type=f.segment_type, segment_value=f.segment_value, topic=f.topic, sentiment=f.sentiment,
        search=bool(f.q), page=result.page, shown=len(result.comments), total=result.total,
        suppressed=result.suppressed_reason is not None,
        analysis_ids=[c.analysis_id for c in result.comments],
        # Which reports a page showed, at the minute it was read, would date each report to the time
        # between two reads: a worker survey's entries keep the day only.
        worker_data=survey.audience == "worker",
    )
