"""Zero-shot, multi-label topic tagging against a team-written taxonomy, with aspect sentiment.

How a score is made
-------------------
Each topic becomes a small bank of prototype embeddings: "name: description" plus every example.
Every *unit* of an answer (each sentence, and the whole answer) is embedded once with the shared
encoder, and for each topic we compute

* ``sim``      = mean of (cosine to the topic centroid, best cosine to any single prototype),
* ``margin``   = ``sim`` minus the best ``sim`` of any topic for that unit (0 for the winner, < 0 else),
* ``keyword``  = 1 when one of the topic's keywords occurs in the unit (word-boundary, plural-tolerant).

Calibration: the choice, and why
---------------------------------
Raw cosines from a sentence encoder are not probabilities: they depend on length, wording and on
how many topics compete. Two calibrated pieces are combined:

* an embedding probability ``p_emb = sigmoid(bias + w_sim*sim + w_margin*margin)``, a *fixed*
  logistic, and
* a keyword probability ``keyword_precision`` (how often a keyword hit names the right topic),

joined by noisy-OR: ``p = 1 - (1 - p_emb) * (1 - keyword_precision * keyword)``. Noisy-OR keeps a
sentence that names two topics ("cold pizza and a rude waiter") tagged with both, where a single
logistic over the margin would suppress the runner-up. All numbers were fitted (`fit_calibration`)
on team-written data only: leave-one-out over the examples of the shipped customer and worker
taxonomies (each example scored against prototypes built without it; label 1 for its own topic,
0 for every other one). Cosines depend on the encoder, so each encoder has its own fit:
`DEFAULT_CALIBRATION` for plain MiniLM, and `nlp.inference.topic_calibration` for the others (the LoRA-merged
encoder the analyzer shares). With the right fit a threshold of 0.5 reads as "more likely than not
about this topic" for every taxonomy; slow tests re-fit and compare.

The answer's score for a topic is the maximum over its units; a topic is tagged when that score
reaches the threshold (taxonomy ``threshold``, else the tagger's, else 0.5). ``top_topic`` is the
topic with the highest *whole-answer* score plus mean *sentence* score (ties broken by the best
unit): the subject of the answer, not a passing mention (on the public long-text sets this sum
beat the whole-answer score alone: CFPB products 0.530 -> 0.564 top-1 macro-F1, IHM and SemEval
+0.1 pt, MSIA -0.9 pt, one case of 182; the bench records it); it is always filled
when the answer has text and the taxonomy has topics, even when nothing passes the threshold.
Blank answers get no tags and ``top_topic == ""``.

Aspect sentiment: a tag's ``sentence_indexes`` are the sentences whose own score passes the
threshold (or the single best sentence for that topic, when only the whole answer passed). When
per-sentence sentiments are given they are aggregated over those sentences, weighting by
confidence. Sentence indexes refer to ``SentimentResult.sentences`` when sentiments are given
(their split is reused), otherwise to `nlp.sentences.split_sentences`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nlp.sentences import split_sentences
from nlp.taxonomy import Taxonomy, Topic
from nlp.types import Sentiment, SentimentLabel, SentimentResult, TopicResult, TopicTag

FloatArray = npt.NDArray[np.float32]

DEFAULT_THRESHOLD = 0.5
MAX_SENTENCES = 256  # units per answer; a 100 KB paste is cut here rather than stall the batch


class TextEncoder(Protocol):
    """Anything that turns texts into L2-normalised rows (the shared `nlp.encoder.Encoder`, or a stub)."""

    def embed(self, texts: list[str]) -> FloatArray: ...


@dataclass(frozen=True)
class Calibration:
    """Embedding logistic plus keyword precision, joined by noisy-OR (see the module docstring)."""

    bias: float
    w_sim: float
    w_margin: float
    keyword_precision: float

    def probability(self, sim: FloatArray, margin: FloatArray, keyword: FloatArray) -> FloatArray:
        z = self.bias + self.w_sim * sim + self.w_margin * margin
        p_emb = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        out: FloatArray = (1.0 - (1.0 - p_emb) * (1.0 - self.keyword_precision * keyword)).astype(np.float32)
        return out


# Fitted by fit_calibration(Encoder(), [customer, worker]) on the shipped taxonomies' examples.
DEFAULT_CALIBRATION = Calibration(bias=-2.74, w_sim=6.61, w_margin=19.16, keyword_precision=0.827)


@dataclass(frozen=True)
class _Prototypes:
    names: list[str]
    centroids: FloatArray  # (topics, dim)
    bank: FloatArray  # (prototypes, dim)
    owner: npt.NDArray[np.int64]  # topic index of each bank row
    keywords: list[re.Pattern[str] | None]


class TopicTagger:
    """Tags answers with the topics of a taxonomy; prototypes are embedded once per taxonomy."""

    def __init__(
        self,
        encoder: TextEncoder,
        threshold: float | None = None,
        calibration: Calibration = DEFAULT_CALIBRATION,
    ) -> None:
        self.encoder = encoder
        self.threshold = threshold
        self.calibration = calibration
        self._cache: dict[tuple[object, ...], _Prototypes] = {}

    def tag(
        self,
        texts: list[str],
        taxonomy: Taxonomy,
        sentiments: list[SentimentResult] | None = None,
    ) -> list[TopicResult]:
        """Tag each text; `sentiments`, when given, must be aligned with `texts`."""
        if sentiments is not None and len(sentiments) != len(texts):
            raise ValueError(f"got {len(sentiments)} sentiments for {len(texts)} texts")
        if not taxonomy.topics:
            return [TopicResult(tags=[], top_topic="") for _ in texts]
        threshold = _pick_threshold(taxonomy.threshold, self.threshold)
        protos = self._prototypes(taxonomy)
        units = [_units(t, sentiments[i] if sentiments else None) for i, t in enumerate(texts)]
        flat = [u for per in units for u in per]
        vectors = _embed_unique(self.encoder, flat)
        # All units of the batch in one set of matrix operations, then sliced per answer.
        all_probs = self._unit_probabilities(flat, vectors, protos) if flat else None
        out: list[TopicResult] = []
        offset = 0
        for i, text in enumerate(texts):
            n_units = len(units[i])
            if not text.strip() or not n_units or all_probs is None:
                out.append(TopicResult(tags=[], top_topic=""))
                offset += n_units
                continue
            probs = all_probs[offset : offset + n_units]
            offset += n_units
            sent = sentiments[i] if sentiments else None
            out.append(_result(probs, protos.names, threshold, sent))
        return out

    def _prototypes(self, taxonomy: Taxonomy) -> _Prototypes:
        key = tuple(
            (t.name, t.description, tuple(t.examples), tuple(t.keywords)) for t in taxonomy.topics
        )
        cached = self._cache.get(key)
        if cached is None:
            cached = build_prototypes(self.encoder, taxonomy.topics)
            if len(self._cache) > 16:  # a few taxonomies per deployment; never grow without bound
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _unit_probabilities(
        self, units: list[str], vectors: dict[str, FloatArray], protos: _Prototypes
    ) -> FloatArray:
        """Probabilities (units, topics), one row per unit; each distinct unit is scored once.

        A one-sentence answer is its own sentence, so deduplicating halves the keyword searches.
        """
        unique = list(dict.fromkeys(units))
        row = {u: i for i, u in enumerate(unique)}
        emb = np.stack([vectors[u] for u in unique])
        sim = _similarity(emb, protos)
        kw = _keyword_hits(unique, protos.keywords)
        margin = sim - sim.max(axis=1, keepdims=True)
        probs = self.calibration.probability(sim, margin, kw)
        out: FloatArray = probs[[row[u] for u in units]]
        return out


def build_prototypes(encoder: TextEncoder, topics: Sequence[Topic]) -> _Prototypes:
    """Embed each topic's description and examples in one encoder call."""
    texts: list[str] = []
    owner: list[int] = []
    for i, topic in enumerate(topics):
        for text in [f"{topic.name}: {topic.description}", *topic.examples]:
            texts.append(text)
            owner.append(i)
    bank = np.asarray(encoder.embed(texts), dtype=np.float32)
    owner_arr = np.asarray(owner, dtype=np.int64)
    centroids = np.stack([_normalise(bank[owner_arr == i].mean(axis=0)) for i in range(len(topics))])
    return _Prototypes(
        names=[t.name for t in topics],
        centroids=centroids,
        bank=bank,
        owner=owner_arr,
        keywords=[_keyword_pattern(t.keywords) for t in topics],
    )


def _similarity(emb: FloatArray, protos: _Prototypes, drop_row: int | None = None) -> FloatArray:
    """Mean of centroid cosine and best single-prototype cosine, per (unit, topic)."""
    n_topics = len(protos.names)
    bank_sim = emb @ protos.bank.T  # (units, prototypes)
    best = np.full((emb.shape[0], n_topics), -1.0, dtype=np.float32)
    for t in range(n_topics):
        cols = protos.owner == t
        if drop_row is not None:
            cols = cols.copy()
            cols[drop_row] = False
        if cols.any():
            best[:, t] = bank_sim[:, cols].max(axis=1)
    centroids = protos.centroids
    if drop_row is not None:
        t = int(protos.owner[drop_row])
        rest = (protos.owner == t) & (np.arange(len(protos.owner)) != drop_row)
        centroids = centroids.copy()
        centroids[t] = _normalise(protos.bank[rest].mean(axis=0))
    out: FloatArray = (0.5 * (emb @ centroids.T + best)).astype(np.float32)
    return out


def _keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    words = [k.strip() for k in keywords if k.strip()]
    if not words:
        return None
    alts = sorted((r"\s+".join(re.escape(p) for p in w.split()) for w in words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?:s|es)?(?!\w)", re.IGNORECASE)


def _keyword_hits(units: list[str], patterns: list[re.Pattern[str] | None]) -> FloatArray:
    hits = np.zeros((len(units), len(patterns)), dtype=np.float32)
    for j, pat in enumerate(patterns):
        if pat is None:
            continue
        for i, unit in enumerate(units):
            if pat.search(unit):
                hits[i, j] = 1.0
    return hits


def _units(text: str, sentiment: SentimentResult | None) -> list[str]:
    """The whole answer followed by its sentences (the sentiment model's split when available)."""
    if not text.strip():
        return []
    if sentiment is not None and sentiment.sentences:
        sentences = [s.text for s in sentiment.sentences]
    else:
        sentences = [s for s, _, _ in split_sentences(text)]
    return [text, *sentences[:MAX_SENTENCES]]


def _embed_unique(encoder: TextEncoder, units: list[str]) -> dict[str, FloatArray]:
    """One encoder call for the batch; repeated sentences (and one-sentence answers) embed once."""
    unique = list(dict.fromkeys(units))
    if not unique:
        return {}
    emb = np.asarray(encoder.embed(unique), dtype=np.float32)
    return {u: emb[i] for i, u in enumerate(unique)}


def _result(
    probs: FloatArray, names: list[str], threshold: float, sentiment: SentimentResult | None
) -> TopicResult:
    answer = probs.max(axis=0)  # best unit per topic: any sentence can carry a tag
    whole = probs[0]
    sentence_probs = probs[1:]
    order = sorted(range(len(names)), key=lambda t: (-float(answer[t]), t))
    # The single best topic is what the answer as a whole is about: a passing mention in one
    # sentence of a long narrative should not outrank its main subject. The whole-answer score
    # says what the text reads as; the mean over its sentences says how much of it is about each
    # topic (a one-sentence answer is its own sentence, so there the order is the whole's).
    focus = whole + (sentence_probs.mean(axis=0) if sentence_probs.shape[0] else whole)
    top = min(range(len(names)), key=lambda t: (-float(focus[t]), -float(answer[t]), t))
    tags: list[TopicTag] = []
    for t in order:
        score = float(answer[t])
        if score < threshold:
            break
        idx: tuple[int, ...] = ()
        if sentence_probs.shape[0]:
            hits = np.flatnonzero(sentence_probs[:, t] >= threshold)
            if hits.size == 0:
                hits = np.asarray([int(sentence_probs[:, t].argmax())])
            idx = tuple(int(h) for h in hits)
        aspect = aspect_sentiment(sentiment, idx) if sentiment is not None else None
        tags.append(TopicTag(topic=names[t], score=round(score, 4), sentiment=aspect, sentence_indexes=idx))
    return TopicResult(tags=tags, top_topic=names[top])


def aspect_sentiment(result: SentimentResult, indexes: Sequence[int]) -> Sentiment:
    """Aggregate the sentiments of the given sentences, weighting each by its confidence."""
    parts = [result.sentences[i].sentiment for i in indexes if 0 <= i < len(result.sentences)]
    if not parts:
        return result.overall
    if len(parts) == 1:
        return parts[0]
    weights = [max(p.confidence, 1e-6) for p in parts]
    total = sum(weights)
    votes: dict[SentimentLabel, float] = {}
    for p, w in zip(parts, weights, strict=True):
        votes[p.label] = votes.get(p.label, 0.0) + w
    label = max(votes, key=lambda k: (votes[k], k == "neutral"))
    score = sum(p.score * w for p, w in zip(parts, weights, strict=True)) / total
    return Sentiment(label=label, score=round(score, 4), confidence=round(votes[label] / total, 4))


def _pick_threshold(taxonomy_threshold: float | None, tagger_threshold: float | None) -> float:
    if taxonomy_threshold is not None:
        return taxonomy_threshold
    if tagger_threshold is not None:
        return tagger_threshold
    return DEFAULT_THRESHOLD


def _normalise(v: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(v))
    out: FloatArray = (v / norm).astype(np.float32) if norm > 0 and math.isfinite(norm) else v
    return out


def calibration_features(
    encoder: TextEncoder, taxonomies: Sequence[Taxonomy]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Leave-one-out features (sim, margin, keyword) and labels from the taxonomies' own examples."""
    rows: list[npt.NDArray[np.float64]] = []
    labels: list[npt.NDArray[np.float64]] = []
    for taxonomy in taxonomies:
        protos = build_prototypes(encoder, taxonomy.topics)
        row = 0
        for t, topic in enumerate(taxonomy.topics):
            row += 1  # the "name: description" prototype stays in
            for example in topic.examples:
                emb = protos.bank[row : row + 1]
                sim = _similarity(emb, protos, drop_row=row)
                kw = _keyword_hits([example], protos.keywords)
                margin = sim - sim.max(axis=1, keepdims=True)
                rows.append(np.stack([sim[0], margin[0], kw[0]], axis=1).astype(np.float64))
                y = np.zeros(len(taxonomy.topics))
                y[t] = 1.0
                labels.append(y)
                row += 1
    return np.concatenate(rows), np.concatenate(labels)


def fit_calibration(encoder: TextEncoder, taxonomies: Sequence[Taxonomy], l2: float = 1e-2) -> Calibration:
    """Fit what DEFAULT_CALIBRATION freezes: the (sim, margin) logistic (scikit-learn, small L2)."""
    from sklearn.linear_model import LogisticRegression

    x, y = calibration_features(encoder, taxonomies)
    logistic = LogisticRegression(C=1.0 / l2, max_iter=1000).fit(x[:, :2], y.astype(np.int64))
    hits = x[:, 2] == 1.0
    precision = float(y[hits].mean()) if hits.any() else 0.0
    return Calibration(
        bias=round(float(logistic.intercept_[0]), 2),
        w_sim=round(float(logistic.coef_[0, 0]), 2),
        w_margin=round(float(logistic.coef_[0, 1]), 2),
        keyword_precision=round(precision, 3),
    )
