"""The labels that hold for a comment: the analyst's correction where there is one, else the model's.

SQL pieces that the drill-down (and anything else that filters comments) composes into its queries, so
a corrected comment is found under its corrected label and topics, as the trend tables count it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import aliased

from models import AnalysisCorrection, CorrectionTopic, TextAnalysis, TopicTag


def effective_sentiment() -> ColumnElement[str]:
    """SQL for the sentiment label that holds for a TextAnalysis row: the analyst's, else the model's."""
    corrected = (
        select(AnalysisCorrection.sentiment_label)
        .where(AnalysisCorrection.answer_id == TextAnalysis.answer_id)
        .correlate(TextAnalysis)
        .scalar_subquery()
    )
    return func.coalesce(corrected, TextAnalysis.sentiment_label)


def effective_urgent() -> ColumnElement[bool]:
    """SQL for whether a TextAnalysis row's comment is urgent: the analyst's say, else the model's."""
    corrected = (
        select(AnalysisCorrection.urgent)
        .where(AnalysisCorrection.answer_id == TextAnalysis.answer_id)
        .correlate(TextAnalysis)
        .scalar_subquery()
    )
    return func.coalesce(corrected, TextAnalysis.urgent)


def analyses_about(topic: str) -> Select[tuple[int]]:
    """Ids of analyses about `topic`: the model's tag where no analyst reviewed the topics, else the analyst's."""
    # An alias: used inside `TextAnalysis.id IN (...)`, the plain entity would correlate to the outer query.
    ta = aliased(TextAnalysis)
    corrected = exists().where(AnalysisCorrection.answer_id == ta.answer_id)
    model_tagged = (
        select(TopicTag.analysis_id)
        .join(ta, ta.id == TopicTag.analysis_id)
        .where(TopicTag.topic == topic, TopicTag.source != "analyst", ~corrected)
    )
    analyst_tagged = (
        select(ta.id)
        .join(AnalysisCorrection, AnalysisCorrection.answer_id == ta.answer_id)
        .join(CorrectionTopic, CorrectionTopic.correction_id == AnalysisCorrection.id)
        .where(CorrectionTopic.topic == topic)
    )
    return model_tagged.union(analyst_tagged)  # type: ignore[return-value]
