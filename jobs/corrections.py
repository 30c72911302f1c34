"""Analysts' sentiment reviews as training rows for `heedful nlp train --with-corrections`.

nlp/ knows nothing of the database, so the rows leave here as plain (text, label) pairs. The text is
the redacted text the analyst read and judged (models.analysis.TextAnalysis.redacted_text): personal
data that redaction removed never reaches the training set or the weights. Every review counts, a
changed label and a confirmed one alike: both are a person's label for that text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.analysis import TextAnalysis
from models.correction import CORRECTION_LABELS, AnalysisCorrection


class CorrectionRowError(ValueError):
    """A stored review cannot be a training row; the message names the review (nothing is trained)."""


def training_rows(session: Session) -> list[tuple[str, str]]:
    """Every reviewed comment as (redacted text, the analyst's sentiment label), oldest review first."""
    rows = session.execute(
        select(AnalysisCorrection.id, TextAnalysis.redacted_text, AnalysisCorrection.sentiment_label)
        .join(TextAnalysis, TextAnalysis.answer_id == AnalysisCorrection.answer_id)
        .where(TextAnalysis.no_text.is_(False))
        .order_by(AnalysisCorrection.id)
    ).all()
    out: list[tuple[str, str]] = []
    for correction_id, text, label in rows:
        if label not in CORRECTION_LABELS:
            raise CorrectionRowError(
                f"correction {correction_id}, column sentiment_label: {label!r} is not one of "
                f"{', '.join(CORRECTION_LABELS)}; nothing was trained"
            )
        if not text.strip():
            continue  # redaction left nothing to learn from (the comment was only personal data)
        out.append((text, label))
    return out
