"""Splits: the seeded stratified one, and the hash split that does not move when rows are reordered."""

from __future__ import annotations

from nlp.training.splits import hash_split, stratified_split


def test_split_is_seeded_stratified_and_disjoint() -> None:
    labels = ["positive"] * 10 + ["negative"] * 10 + ["neutral"] * 5
    train_idx, test_idx = stratified_split(labels, 0.2, seed=3)
    assert (train_idx, test_idx) == stratified_split(labels, 0.2, seed=3)
    assert not set(train_idx) & set(test_idx) and len(train_idx) + len(test_idx) == 25
    assert sorted(labels[i] for i in test_idx) == ["negative", "negative", "neutral", "positive", "positive"]
    assert stratified_split(labels, 0.2, seed=4)[1] != test_idx


def test_hash_split_follows_the_text_not_the_row_order() -> None:
    texts = [f"report {i}" for i in range(40)]
    labels = [i % 4 == 0 for i in range(40)]
    train, held = hash_split(texts, labels, 0.6, seed=13)
    assert not set(train) & set(held) and len(train) + len(held) == 40
    assert sum(labels[i] for i in held) == 4  # 10 positives, 40 % held out
    moved_train, _ = hash_split(texts[::-1], labels[::-1], 0.6, seed=13)
    assert sorted(texts[::-1][i] for i in moved_train) == sorted(texts[i] for i in train)
    assert hash_split(texts, labels, 0.6, seed=14)[0] != train
