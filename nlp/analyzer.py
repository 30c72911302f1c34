"""The one object the scheduled pipeline calls: redact → sentiment → topics → urgency, batched.

Every part is injectable (tests pass stubs; the pipeline passes nothing and gets the real models).

One forward pass per sentence serves every task. The default sentiment models score sentence
embeddings of an `Encoder`: the LoRA model reads its adapted branch of the top blocks (the lower blocks
are shared), `default-lr` a head on the plain output; topics and urgency run on the plain output of
that same encoder (`load_models`), a space sentiment training has not bent. Within one `analyze` call
the encoder memoises embeddings: sentiment's pass keeps both views of each sentence, a multi-sentence
answer's own embedding is composed from its sentences (`Encoder.compose`), and topics and urgency then
find everything in the memo.
A pluggable Hugging Face classifier has its own network, so with one of those topics and urgency run
on the plain encoder (two passes).

Answers with no readable text (empty, whitespace, digits or punctuation only, binary garbage) are
not sent to any model (an emoji is readable: "👍" is a positive answer, see `nlp.emoji`); they get
``no_text=True``, a neutral zero-confidence sentiment, no topics and no urgency. Text is cleaned of
control characters and cut to `MAX_CHARS` before the models see it (the stored redaction keeps the
whole answer).

Every answer's language is detected (nlp.language; the page language the respondent chose is a hint
for short answers). When the encoder cannot read it (`Encoder.languages`: the default MiniLM reads
English only), or the text is in a script the detector does not know, sentiment and topics are not
scored as if it were English: the answer gets `not_analysed="not analysed: <language>"`, a neutral
zero-confidence sentiment and no topics. Urgency still runs on it, through that language's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.emoji import count_emoji
from nlp.encoder import Encoder, EncoderConfig, resolve_model_path
from nlp.inference.language import DetectedLanguage, LanguageDetector, not_analysed_reason, shared_detector
from nlp.inference.redact import redact
from nlp.inference.sentiment import load_sentiment_model
from nlp.inference.sentiment_base import SentimentModel
from nlp.inference.topic_calibration import calibration_for
from nlp.inference.topics import TextEncoder, TopicTagger
from nlp.inference.urgency import HEAD_FILE, UrgencyDetector
from nlp.settings import NLPSettings
from nlp.taxonomy import Taxonomy, default_taxonomy
from nlp.types import Sentiment, SentimentResult, TextAnalysis, TopicResult, Urgency

FloatArray = npt.NDArray[np.float32]
MAX_CHARS = 20_000
AUDIENCES = ("customer", "worker")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_NO_TEXT_SENTIMENT = SentimentResult(overall=Sentiment(label="neutral", score=0.0, confidence=0.0))


class Analyzer:
    """Analyse free-text answers; load once per process, then call `analyze` per batch."""

    def __init__(
        self,
        settings: NLPSettings,
        *,
        encoder: TextEncoder | None = None,
        sentiment: SentimentModel | None = None,
        tagger: TopicTagger | None = None,
        urgency: UrgencyDetector | None = None,
        languages: LanguageDetector | None = None,
    ) -> None:
        self.settings = settings
        self._encoder: Any = encoder
        self._sentiment = sentiment
        self._tagger = tagger
        self._urgency = urgency
        self._languages = languages or shared_detector()
        self._loaded = False

    def load(self) -> Analyzer:
        """Load every model now so that a broken configuration fails at start-up."""
        if self._loaded:
            return self
        if self._sentiment is None and self._encoder is None:
            self._encoder, self._sentiment = load_models(self.settings)
        if self._encoder is None:
            self._encoder = plain_encoder(self.settings)
        if self._sentiment is None:
            shared = self._encoder if isinstance(self._encoder, Encoder) else None
            self._sentiment = load_sentiment_model(self.settings, encoder=shared)
        if self._tagger is None:
            self._tagger = TopicTagger(self._encoder, threshold=self.settings.topic_threshold,
                                       calibration=calibration_for(self._encoder))
        if self._urgency is None:
            self._urgency = UrgencyDetector(self._encoder, head_path=_folder_urgency_head(self._sentiment))
        self._urgency.load()
        self._languages.load()
        self._loaded = True
        return self

    @property
    def reads(self) -> frozenset[str]:
        """Languages scored for sentiment and topics: those the configured encoder reads."""
        self.load()
        return frozenset(getattr(self._encoder, "languages", None) or {"en"})

    @property
    def name(self) -> str:
        """Model name recorded on every stored row: sentiment model + encoder."""
        self.load()
        assert self._sentiment is not None
        return f"{self._sentiment.name}+{_encoder_attr(self._encoder, 'name')}"

    @property
    def version(self) -> str:
        self.load()
        assert self._sentiment is not None
        return f"{self._sentiment.version}+{_encoder_attr(self._encoder, 'version')}"

    def analyze(
        self,
        texts: list[str],
        taxonomy: Taxonomy | None = None,
        audience: str = "customer",
        hints: list[str | None] | None = None,
    ) -> list[TextAnalysis]:
        """Analyse a batch; results keep the input order and one bad text never fails the batch.

        `hints` are the page languages the respondents chose, one per text (or None).
        """
        return self.analyze_many([(texts, taxonomy, audience)], hints=[hints] if hints is not None else None)[0]

    def analyze_many(
        self,
        groups: list[tuple[list[str], Taxonomy | None, str]],
        hints: list[list[str | None] | None] | None = None,
    ) -> list[list[TextAnalysis]]:
        """Analyse several (texts, taxonomy, audience) groups, e.g. one per survey of a scoring batch.

        Sentiment does not depend on the survey, so the sentences of all groups go through the encoder
        together (one length-sorted forward pass); topics and urgency then run per group. `hints`
        holds, per group, the respondents' page languages (see `analyze`).
        """
        for _texts, _taxonomy, audience in groups:
            if audience not in AUDIENCES:
                raise ValueError(f"unknown audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
        self.load()
        assert self._sentiment is not None and self._tagger is not None and self._urgency is not None
        name, version = self.name, self.version
        reads = self.reads
        hints = hints if hints is not None else [None] * len(groups)
        if len(hints) != len(groups):
            raise ValueError(f"{len(hints)} hint lists for {len(groups)} groups")
        for (texts, _tax, _aud), group_hints in zip(groups, hints, strict=True):
            if group_hints is not None and len(group_hints) != len(texts):
                raise ValueError(f"{len(group_hints)} language hints for {len(texts)} texts")
        redacted = [[redact(_clean(t)) for t in texts] for texts, _tax, _aud in groups]
        present = [[i for i, r in enumerate(reds) if has_text(r.text)] for reds in redacted]
        detected = [
            dict(zip(idx, self._languages.detect([reds[i].text for i in idx], _hints_for(group_hints, idx)),
                     strict=True))
            for reds, idx, group_hints in zip(redacted, present, hints, strict=True)
        ]
        # Sentiment and topics only for languages the encoder reads (an emoji-only answer has none: "").
        live = [
            [i for i in idx if langs[i].script_known and (langs[i].code in reads or not langs[i].code)]
            for idx, langs in zip(present, detected, strict=True)
        ]
        model_texts = [[reds[i].text[:MAX_CHARS] for i in idx] for reds, idx in zip(redacted, live, strict=True)]
        flat = [t for texts in model_texts for t in texts]
        out: list[list[TextAnalysis]] = []
        with self._batch_cache():
            all_sentiments = self._sentiment.predict(flat) if flat else []
            self._compose(flat, all_sentiments)
            offset = 0
            for (_texts, taxonomy, audience), reds, idx, texts, here, langs in zip(
                groups, redacted, live, model_texts, present, detected, strict=True
            ):
                sentiments = all_sentiments[offset : offset + len(texts)]
                offset += len(texts)
                tax = taxonomy if taxonomy is not None else default_taxonomy(audience)
                topics = self._tagger.tag(texts, tax, sentiments) if texts else []
                # Urgency runs on every answer with text: in a language the encoder cannot read,
                # that language's rules decide (nlp.urgency).
                if audience == "worker" and here:
                    found = self._urgency.detect([reds[i].text[:MAX_CHARS] for i in here],
                                                 [langs[i].code for i in here])
                    urgencies = dict(zip(here, found, strict=True))
                else:
                    urgencies = {i: Urgency(urgent=False, score=0.0) for i in here}
                by_index = {i: k for k, i in enumerate(idx)}
                results: list[TextAnalysis] = []
                for i, red in enumerate(reds):
                    if i not in urgencies:
                        results.append(_no_text(red, name, version))
                        continue
                    k = by_index.get(i)
                    if k is None:
                        results.append(_not_analysed(red, langs[i], urgencies[i], name, version))
                        continue
                    results.append(
                        TextAnalysis(
                            redacted=red,
                            sentiment=sentiments[k],
                            topics=topics[k],
                            urgency=urgencies[i],
                            model_name=name,
                            model_version=version,
                            language=langs[i].code,
                        )
                    )
                out.append(results)
        return out

    @contextmanager
    def _batch_cache(self) -> Iterator[None]:
        if isinstance(self._encoder, Encoder):
            with self._encoder.batch_cache():
                yield
        else:
            yield

    def _compose(self, texts: list[str], sentiments: list[SentimentResult]) -> None:
        """Give each multi-sentence answer the embedding of its sentences (already in the memo)."""
        if not isinstance(self._encoder, Encoder):
            return
        for text, result in zip(texts, sentiments, strict=True):
            if result.sentences:
                self._encoder.compose(text, [s.text for s in result.sentences])


def plain_encoder(settings: NLPSettings) -> Encoder:
    """The configured encoder, without adapters."""
    return Encoder(
        EncoderConfig(
            model=settings.encoder,
            batch_size=settings.batch_size,
            threads=settings.threads,
            quantize=settings.quantize,
        )
    ).load()


def load_models(settings: NLPSettings) -> tuple[Encoder, SentimentModel]:
    """The sentiment model and the encoder topics and urgency run on: one and the same when possible.

    Shared when the sentiment model scores embeddings of an `Encoder` built on the configured encoder
    (the default LoRA model, `default-lr`); otherwise topics and urgency get the plain encoder.
    """
    sentiment = load_sentiment_model(settings)
    shared = getattr(sentiment, "encoder", None)
    if isinstance(shared, Encoder) and resolve_model_path(shared.name) == resolve_model_path(settings.encoder):
        return shared, sentiment
    return plain_encoder(settings), sentiment


def _folder_urgency_head(sentiment: object) -> Path | None:
    """A trained model folder for another encoder carries that encoder's urgency head (nlp train --out)."""
    folder = getattr(sentiment, "weights_dir", None)
    head = Path(folder) / HEAD_FILE if folder is not None else None
    return head if head is not None and head.is_file() else None


def has_text(text: str) -> bool:
    """True when there is something to analyse: two letters or one emoji, and not mostly noise.

    An emoji counts as two letters: "👍" alone is an answer (the encoder reads it as words, nlp.emoji).
    """
    letters = sum(1 for ch in text if ch.isalpha()) + 2 * count_emoji(text)
    if letters < 2:
        return False
    visible = sum(1 for ch in text if not ch.isspace()) or 1
    return letters / visible >= 0.2


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub(" ", text)


def _no_text(red: Any, name: str, version: str) -> TextAnalysis:
    return TextAnalysis(
        redacted=red,
        sentiment=_NO_TEXT_SENTIMENT,
        topics=None,
        urgency=Urgency(urgent=False, score=0.0),
        model_name=name,
        model_version=version,
        no_text=True,
    )


def _hints_for(hints: list[str | None] | None, idx: list[int]) -> list[str | None] | None:
    return [hints[i] for i in idx] if hints is not None else None


def _not_analysed(red: Any, language: DetectedLanguage, urgency: Urgency, name: str, version: str) -> TextAnalysis:
    return TextAnalysis(
        redacted=red,
        sentiment=_NO_TEXT_SENTIMENT,
        topics=None,
        urgency=urgency,
        model_name=name,
        model_version=version,
        language=language.code,
        not_analysed=not_analysed_reason(language),
    )


def _encoder_attr(encoder: object, attr: str) -> str:
    return str(getattr(encoder, attr, type(encoder).__name__))


__all__ = ["Analyzer", "TopicResult", "has_text", "load_models", "plain_encoder"]
