"""`python -m nlp.training.urgency_cli [train|evaluate]`: rebuild or score the shipped urgency heads.

`evaluate` (the default) prints recall and precision on the training 60 % and the held-out 40 % for
every shipped encoder; `train` refits them (`heedful nlp train` also does, after new adapters).
"""

from __future__ import annotations

import sys

from nlp.inference.urgency import UrgencyDetector
from nlp.training.urgency import evaluate, read_corpus, shipped_encoders, split, train_all


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "evaluate"
    if command == "train":
        train_all()
        return
    if command != "evaluate":
        raise SystemExit(f"unknown command {command!r}: expected train or evaluate")
    texts, labels = read_corpus()
    train, held = split(texts, labels)
    for encoder in shipped_encoders():
        detector = UrgencyDetector(encoder).load()
        for name, idx in (("train", train), ("held-out", held)):
            m = evaluate(detector, [texts[i] for i in idx], labels[idx])
            print(
                f"{detector.head_path.name} {name:>8}: rows {int(m['rows'])} recall {m['recall']:.3f} "
                f"precision {m['precision']:.3f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
