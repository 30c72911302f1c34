"""Factories for what the pipeline would write: trend rows, text analyses and topic tags."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import Answer, Response, Survey, TextAnalysis, TopicTag, TrendRow
from models.anonymity import anonymous_id
from models.trend import ALL
from tests.factories import make_response

_seq = itertools.count(1)


def make_trend(session: Session, survey: Survey, period_start: date, *, period_type: str = "month",
               segment_type: str = ALL, segment_value: str = ALL, topic: str = ALL, responses: int = 50,
               **kw: Any) -> TrendRow:
    defaults: dict[str, Any] = {"comments": responses, "nps": 20.0, "nps_low": 10.0, "nps_high": 30.0,
                                "nps_n": responses, "csat": 80.0, "csat_low": 75.0, "csat_high": 85.0,
                                "sentiment_mean": 0.1, "sentiment_low": 0.0, "sentiment_high": 0.2,
                                "model_name": "stub", "model_version": "1"}
    defaults.update(kw)
    if survey.audience == "worker":  # as the refresh writes them (models.anonymity)
        defaults.setdefault("id", anonymous_id())
    row = TrendRow(period_type=period_type, period_start=period_start, survey_id=survey.id,
                   segment_type=segment_type, segment_value=segment_value, topic=topic, responses=responses,
                   **defaults)
    session.add(row)
    session.flush()
    return row


def make_comment(session: Session, survey: Survey, text: str, *, day: date | None = None,
                 sentiment: str = "negative", score: float | None = None, topics: dict[str, list[int]] | None = None,
                 sentences: list[dict[str, Any]] | None = None, urgent: bool = False, reason: str | None = None,
                 redacted: str | None = None, key: str = "why", response: Response | None = None,
                 **response_kw: Any) -> TextAnalysis:
    """A response with one free-text answer and its analysis. `topics` maps topic → sentence indexes."""
    if response is None:
        response = make_response(session, survey, {key: text}, day=day, **response_kw)
    answer = next(a for a in response.answers if a.text == text) if response.answers else None
    if answer is None:
        q = next(q for q in survey.questions if q.key == key)
        answer = Answer(response_id=response.id, question_id=q.id, text=text, text_state="scored")
        session.add(answer)
        session.flush()
    answer.text_state = "scored"
    redacted_text = text if redacted is None else redacted
    if sentences is None:
        sentences = [{"text": redacted_text, "start": 0, "end": len(redacted_text), "label": sentiment,
                      "score": 0.0}]
    worker = survey.audience == "worker"  # anonymous ids, as the pipeline gives them (models.anonymity)
    analysis = TextAnalysis(
        id=anonymous_id() if worker else None,
        answer_id=answer.id, redacted_text=redacted_text, sentiment_label=sentiment,
        sentiment_score={"negative": -0.7, "neutral": 0.0, "positive": 0.7}[sentiment] if score is None else score,
        sentiment_confidence=0.9, sentences=sentences, urgent=urgent, urgency_score=0.9 if urgent else 0.0,
        urgency_reason=reason, model_name="stub", model_version="1",
    )
    for i, (topic, idx) in enumerate((topics or {}).items()):
        analysis.tags.append(TopicTag(id=anonymous_id() if worker else None,
                                      topic=topic, score=0.8, is_top=i == 0, sentiment_label=sentiment,
                                      sentence_indexes=idx))
    session.add(analysis)
    session.flush()
    return analysis
