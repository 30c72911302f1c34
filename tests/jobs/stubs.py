"""A stub analyzer with the real Analyzer's analyze() signature: keyword rules, no model, deterministic."""

from __future__ import annotations

import re
import time

from nlp.taxonomy import Taxonomy
from nlp.types import (
    Redaction,
    SentenceSentiment,
    Sentiment,
    SentimentResult,
    TextAnalysis,
    TopicResult,
    TopicTag,
    Urgency,
)

POSITIVE = ("great", "good", "love", "friendly", "fast")
NEGATIVE = ("bad", "terrible", "late", "broken", "rude", "slow", "unsafe")
URGENT = ("danger", "unsafe", "urgent", "exposed wire")
BREAKS_MODEL = "BOOM"  # a text containing this makes analyze() raise, like a tokenizer crash would


class StubAnalyzer:
    def __init__(self, name: str = "stub-sentiment+stub-encoder", version: str = "v1", delay: float = 0.0) -> None:
        self._name = name
        self._version = version
        self.delay = delay
        self.calls: list[int] = []
        self.hints: list[str | None] = []  # the page languages the scoring job passed, in call order

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._version

    def analyze(
        self,
        texts: list[str],
        taxonomy: Taxonomy | None = None,
        audience: str = "customer",
        hints: list[str | None] | None = None,
    ) -> list[TextAnalysis]:
        self.calls.append(len(texts))
        hints = hints if hints is not None else [None] * len(texts)
        self.hints.extend(hints)
        if self.delay:
            time.sleep(self.delay * len(texts))
        if any(BREAKS_MODEL in t for t in texts):
            raise ValueError("model cannot handle this text")
        return [self._one(t, taxonomy, audience, hint) for t, hint in zip(texts, hints, strict=True)]

    def analyze_many(
        self,
        groups: list[tuple[list[str], Taxonomy | None, str]],
        hints: list[list[str | None] | None] | None = None,
    ) -> list[list[TextAnalysis]]:
        per_group = hints if hints is not None else [None] * len(groups)
        return [
            self.analyze(texts, taxonomy, audience, group_hints)
            for (texts, taxonomy, audience), group_hints in zip(groups, per_group, strict=True)
        ]

    def _one(self, text: str, taxonomy: Taxonomy | None, audience: str, hint: str | None = None) -> TextAnalysis:
        redacted = re.sub(r"\S+@\S+", "[EMAIL]", text)
        low = text.lower()
        if not text.strip():
            neutral = Sentiment("neutral", 0.0, 0.1)
            return TextAnalysis(
                Redaction(""),
                SentimentResult(neutral),
                None,
                Urgency(False, 0.0),
                self.name,
                self.version,
                no_text=True,
            )
        danger = audience == "worker" and any(w in low for w in URGENT)
        if hint not in (None, "en"):
            # Like the real analyzer with an English-only encoder: the page language is taken as the
            # answer's language, its sentiment and topics are not scored, and urgency still is (by rules).
            return TextAnalysis(
                Redaction(redacted), SentimentResult(Sentiment("neutral", 0.0, 0.0)), None,
                Urgency(True, 1.0, "gas leak") if danger else Urgency(False, 0.0),
                self.name, self.version, language=str(hint), not_analysed=f"not analysed: {hint}",
            )
        pos = sum(w in low for w in POSITIVE)
        neg = sum(w in low for w in NEGATIVE)
        if pos > neg:
            overall = Sentiment("positive", 0.8, 0.9)
        elif neg > pos:
            overall = Sentiment("negative", -0.7, 0.9)
        else:
            overall = Sentiment("neutral", 0.0, 0.6)
        sentences = [SentenceSentiment(text, 0, len(text), overall)]
        topics = None
        if taxonomy is not None and taxonomy.topics:
            tags = [
                TopicTag(t.name, 0.9, overall, (0,))
                for t in taxonomy.topics
                if t.name.lower() in low or any(k.lower() in low for k in t.keywords)
            ]
            topics = TopicResult(tags, tags[0].topic if tags else taxonomy.topics[0].name)
        urgent = audience == "worker" and any(w in low for w in URGENT)
        urgency = Urgency(True, 0.95, "mentions an immediate danger") if urgent else Urgency(False, 0.0)
        return TextAnalysis(
            Redaction(redacted, ("email",) if redacted != text else ()),
            SentimentResult(overall, sentences),
            topics,
            urgency,
            self.name,
            self.version,
            language="en",
        )
