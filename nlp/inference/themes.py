"""Emerging themes: cluster answers by meaning and name each cluster by its distinctive words.

Clustering: k-means (scikit-learn, fixed ``seed``, ``n_init=10``) on the encoder's L2-normalised
embeddings; k is chosen by the best cosine silhouette for k in [2, min(12, n // min_size)].
Clusters smaller than ``min_size`` are dropped (noise, not a theme). Each kept cluster is named
by class-based TF-IDF (c-TF-IDF, as in BERTopic): the documents of a cluster are joined into one,
term frequencies are normalised per cluster and weighted by ``log(1 + A / f_t)``, where A is the
average number of words per cluster and f_t the term's frequency over all clusters; English stop
words and tokens shorter than 3 letters are removed. The label is the top three words.

The same texts, encoder and seed give the same themes. Themes are sorted by size (largest first).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nlp.types import Theme

FloatArray = npt.NDArray[np.float32]
MAX_K = 12
TOP_WORDS = 8

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{3,}")


class TextEncoder(Protocol):
    def embed(self, texts: list[str]) -> FloatArray: ...


def discover_themes(texts: list[str], encoder: TextEncoder, seed: int = 0, min_size: int = 5) -> list[Theme]:
    """Cluster non-blank answers and return themes of at least `min_size` members."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    keep = [i for i, t in enumerate(texts) if _tokens(t)]
    min_size = max(1, min_size)
    if len(keep) < 2 * min_size:
        return []
    emb = np.asarray(encoder.embed([texts[i] for i in keep]), dtype=np.float32)
    best_labels: npt.NDArray[np.int64] | None = None
    best_score = -2.0
    for k in range(2, min(MAX_K, len(keep) // min_size) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(emb)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(emb, labels, metric="cosine"))
        if score > best_score + 1e-9:
            best_score, best_labels = score, labels.astype(np.int64)
    if best_labels is None:
        return []
    clusters: dict[int, list[int]] = {}
    for pos, label in enumerate(best_labels.tolist()):
        clusters.setdefault(int(label), []).append(keep[pos])
    kept = [members for _, members in sorted(clusters.items()) if len(members) >= min_size]
    keywords = class_tfidf([[texts[i] for i in members] for members in kept])
    themes = [
        Theme(label=" / ".join(words[:3]) or "misc", keywords=words, member_indexes=members, size=len(members))
        for members, words in zip(kept, keywords, strict=True)
    ]
    return sorted(themes, key=lambda t: (-t.size, t.member_indexes[0]))


def class_tfidf(groups: list[list[str]], top: int = TOP_WORDS) -> list[list[str]]:
    """Top c-TF-IDF words of each group of documents (stop words removed), ties broken alphabetically."""
    counts = [Counter(tok for doc in docs for tok in _tokens(doc)) for docs in groups]
    total = Counter[str]()
    for c in counts:
        total.update(c)
    if not total:
        return [[] for _ in groups]
    avg_words = sum(total.values()) / len(groups)
    out: list[list[str]] = []
    for c in counts:
        size = sum(c.values()) or 1
        scored = {w: (n / size) * np.log(1.0 + avg_words / total[w]) for w, n in c.items()}
        out.append([w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
    return out


def _tokens(text: str) -> list[str]:
    return [t for t in (m.group(0).lower() for m in _TOKEN.finditer(text)) if len(t) >= 3 and t not in _STOP]


_STOP = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each even ever every few for from further get got had hadn't has hasn't have haven't having he
    he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's like made make many me more most much must mustn't my myself no nor
    not now of off on once one only or other ought our ours ourselves out over own really same shan't she
    she'd she'll she's should shouldn't so some still such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under until up
    upon us very was wasn't we we'd we'll we're we've well were weren't what what's when when's where
    where's which while who who's whom why why's will with won't would wouldn't yet you you'd you'll you're
    you've your yours yourself yourselves also always never around since via etc per within without lot
    lots thing things way ways time times day days today yesterday week weeks""".split()
)
