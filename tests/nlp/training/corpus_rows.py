"""A tiny, clearly separable sentiment corpus written to a folder, for the training tests."""

from __future__ import annotations

from pathlib import Path

HEADER = "text,label,voice,phenomenon\n"
ROWS = [
    ("great friendly staff", "positive"),
    ("love it, good", "positive"),
    ("good value", "positive"),
    ("great", "positive"),
    ("rude and cold", "negative"),
    ("broken on arrival", "negative"),
    ("bad bad", "negative"),
    ("cold food", "negative"),
    ("we came on monday", "neutral"),
    ("the shop opens at nine", "neutral"),
    ("is there parking", "neutral"),
    ("no comment", "neutral"),
]


def write_corpus(folder: Path, rows: list[tuple[str, str]] = ROWS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sentiment_customer.csv"
    path.write_text(HEADER + "".join(f'"{t}",{lab},customer,plain\n' for t, lab in rows), encoding="utf-8")
    return [path]
