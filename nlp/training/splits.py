"""Train / held-out splits: a seeded stratified one (scikit-learn), and one stable under row order.

* `stratified_split`: scikit-learn's stratified `train_test_split` under a fixed seed; the same labels
  in the same order give the same split on every machine.
* `hash_split`: each class is ordered by a hash of its text, so the split does not move when rows are
  reordered or appended elsewhere in the file; the urgency set relies on that (a team member adding
  rows must not shuffle which old rows are held out).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence

import numpy as np


def stratified_split(labels: Sequence[str], holdout: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded, stratified; returns (train indexes, held-out indexes), both sorted."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        np.arange(len(labels)), test_size=holdout, stratify=list(labels), random_state=seed
    )
    return sorted(int(i) for i in train), sorted(int(i) for i in test)


def hash_split(
    texts: Sequence[str], labels: Sequence[Hashable], train_share: float, seed: int
) -> tuple[list[int], list[int]]:
    """Per class, the first `train_share` of rows ordered by sha256(seed:text) train; the rest are held out."""
    train: list[int] = []
    held: list[int] = []
    for cls in sorted(set(labels), key=str):
        idx = [i for i in range(len(texts)) if labels[i] == cls]
        idx.sort(key=lambda i: hashlib.sha256(f"{seed}:{texts[i]}".encode()).hexdigest())
        cut = round(len(idx) * train_share)
        train += idx[:cut]
        held += idx[cut:]
    return sorted(train), sorted(held)
