"""Bare person names in redaction: precision and recall on the team-written nlp/data/names_eval.csv.

Each row gives a text and the names in it (pipe-separated exact substrings, empty when none). A found
span counts as right when it is exactly a gold name; the misses and false hits are listed so that the
docs can say what is still missed. Prints a table and writes bench/results/nlp_names.json; never asserts.

Usage: python -m bench.nlp_names
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import save_results  # noqa: E402
from nlp.inference.names import find_names, gazetteer  # noqa: E402

DATA = ROOT / "nlp" / "data" / "names_eval.csv"
OUT = ROOT / "bench" / "results" / "nlp_names.json"


def measure(rows: list[dict[str, str]]) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    misses: list[str] = []
    false_hits: list[str] = []
    for row in rows:
        gold = {name for name in row["names"].split("|") if name}
        found = {row["text"][s:e] for s, e in find_names(row["text"])}
        c = counts.setdefault(row["language"], Counter())
        c["tp"] += len(gold & found)
        c["fp"] += len(found - gold)
        c["fn"] += len(gold - found)
        misses += [f"{name!r} in {row['text']!r}" for name in sorted(gold - found)]
        false_hits += [f"{name!r} in {row['text']!r}" for name in sorted(found - gold)]
    total = sum(counts.values(), Counter())
    table = [[lang, *_pr(c)] for lang, c in sorted(counts.items())] + [["all", *_pr(total)]]
    return {
        "table": {
            "caption": f"{len(rows)} team-written comments, {total['tp'] + total['fn']} names",
            "columns": ["language", "precision", "recall", "names", "found right", "false hits"],
            "rows": table,
        },
        "misses": misses,
        "false_hits": false_hits,
    }


def _pr(c: Counter[str]) -> list[Any]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return [round(tp / max(tp + fp, 1), 3), round(tp / max(tp + fn, 1), 3), tp + fn, tp, fp]


def main() -> None:
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    started = time.perf_counter()
    g = gazetteer()
    load_s = time.perf_counter() - started
    results = measure(rows)
    started = time.perf_counter()
    for row in rows * 20:
        find_names(row["text"])
    results["gazetteer"] = {"first_names": len(g.first), "last_names": len(g.last), "load_seconds": round(load_s, 2)}
    results["microseconds_per_text"] = round((time.perf_counter() - started) / (len(rows) * 20) * 1e6, 1)
    for row in results["table"]["rows"]:
        print(*row, sep="\t")
    print("missed:", *results["misses"], sep="\n  ")
    print("false hits:", *results["false_hits"], sep="\n  ")
    save_results(OUT, results)


if __name__ == "__main__":
    main()
