"""Urgency training: the split, and a head trained on the set flags what it should (slow)."""

from __future__ import annotations

import numpy as np

from nlp.inference.urgency import UrgencyDetector
from nlp.training.urgency import fit_logistic, read_corpus, split, train_head
from tests.nlp.inference.test_urgency import ConstantEncoder


def test_split_is_stratified_disjoint_and_stable() -> None:
    texts, labels = read_corpus()
    train, held = split(texts, labels)
    assert not set(train) & set(held) and len(train) + len(held) == len(texts)
    assert abs(labels[train].mean() - labels[held].mean()) < 0.02
    assert split(texts[::-1], labels[::-1])[0] == sorted(len(texts) - 1 - i for i in train)


def test_fit_logistic_separates_and_leaves_the_bias_free() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = (x[:, 0] + 0.5 > 0).astype(np.float64)
    w, b = fit_logistic(x, y, l2=1e-3)
    assert ((x @ w + b > 0) == (y == 1)).mean() > 0.97
    assert abs(w[0]) > 5 * max(abs(w[1]), abs(w[2])) and b > 0


def test_train_head_picks_a_threshold_for_the_target_recall() -> None:
    texts = [f"smell of gas in bay {i}" for i in range(20)] + [f"canteen menu week {i}" for i in range(20)]
    labels = np.array([1.0] * 20 + [0.0] * 20)
    head = train_head(UrgencyDetector(ConstantEncoder()), texts, labels)
    assert 0.05 <= head.threshold <= 0.95 and head.weights.shape == (8 + 5,)
    detector = UrgencyDetector(ConstantEncoder(), head=head)
    assert [u.urgent for u in detector.detect([texts[0], texts[-1]])] == [True, False]
