"""Sentiment accuracy of Heedful's default model vs VADER on public sets; prints a table, writes JSON.

Reads ../shared/data (relative to the repo root) at run time only; nothing from it is stored or trained on.

* uci_sentiment_sentences: binary. Heedful: P(pos) vs P(neg) (sign of the score); VADER: compound >= 0.
* financial_phrasebank: 3-class, all rows and the max_agreement == 100 subset.
* semeval2014_absa_restaurants: every non-conflict (sentence, aspect) row; gold = the aspect's polarity,
  predicted = the whole-sentence sentiment (so sentences with disagreeing aspects cap the score).
* team held-out sets (nlp/data/heldout_*.csv): written by the team like the training corpus, in our own
  domain (worker safety-climate answers; one-line customer opinions), and never trained on: the
  in-domain check for the next retraining. They were written after the shipped model was trained.
VADER 3-class: compound >= 0.05 positive, <= -0.05 negative, else neutral.

Usage: python bench/nlp_sentiment_accuracy.py [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.evaluate import classification_report  # noqa: E402
from nlp.inference.sentiment import load_sentiment_model  # noqa: E402
from nlp.settings import NLPSettings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "results" / "nlp_sentiment_accuracy.json"
THREE = ("negative", "neutral", "positive")
BINARY = ("negative", "positive")


def load_sets(limit: int | None) -> dict[str, tuple[list[str], list[str], tuple[str, ...]]]:
    """name -> (texts, gold labels, label set)."""
    uci = _rows("uci_sentiment_sentences")
    fpb = _rows("financial_phrasebank")
    absa = [r for r in _rows("semeval2014_absa_restaurants") if r["label"] in THREE]
    sets = {
        "uci_sentiment_sentences (binary)": (uci, BINARY),
        "financial_phrasebank (all)": (fpb, THREE),
        "financial_phrasebank (agreement 100%)": ([r for r in fpb if r["max_agreement"] == "100"], THREE),
        "semeval2014_absa_restaurants (aspect rows)": (absa, THREE),
        "team held-out: worker safety climate": (_own("heldout_climate.csv"), THREE),
        "team held-out: customer opinions": (_own("heldout_opinions.csv"), THREE),
    }
    return {
        name: ([r["text"] for r in rows[:limit]], [r["label"] for r in rows[:limit]], labels)
        for name, (rows, labels) in sets.items()
    }


def _own(name: str) -> list[dict[str, str]]:
    with (ROOT / "nlp" / "data" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name / "data.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def heedful_labels(texts: list[str], binary: bool, model: Any) -> list[str]:
    results = model.predict(texts)
    if binary:
        return ["negative" if r.overall.score < 0 else "positive" for r in results]
    return [r.overall.label for r in results]


def vader_labels(texts: list[str], binary: bool) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        c = analyzer.polarity_scores(text)["compound"]
        if binary:
            out.append("negative" if c < 0 else "positive")
        else:
            out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return out


def score_all(limit: int | None) -> dict[str, Any]:
    model = load_sentiment_model(NLPSettings())
    results: dict[str, Any] = {"model": model.name, "model_version": model.version, "sets": {}}
    for name, (texts, gold, labels) in load_sets(limit).items():
        binary = labels == BINARY
        started = time.perf_counter()
        ours = heedful_labels(texts, binary, model)
        seconds = time.perf_counter() - started
        theirs = vader_labels(texts, binary)
        results["sets"][name] = {
            "n": len(texts),
            "heedful": _summary(classification_report(gold, ours, labels)),
            "vader": _summary(classification_report(gold, theirs, labels)),
            "heedful_texts_per_s": round(len(texts) / seconds, 1),
        }
    return results


def _summary(report: Any) -> dict[str, Any]:
    return {
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "per_class_f1": {c: s.f1 for c, s in report.per_class.items()},
    }


def print_table(results: dict[str, Any]) -> None:
    print(f"{'set':<46} {'n':>5}  {'Heedful acc':>11} {'F1':>6}  {'VADER acc':>9} {'F1':>6}")
    for name, r in results["sets"].items():
        h, v = r["heedful"], r["vader"]
        print(
            f"{name:<46} {r['n']:>5}  {h['accuracy']:>11.4f} {h['macro_f1']:>6.4f}  "
            f"{v['accuracy']:>9.4f} {v['macro_f1']:>6.4f}"
        )


def main() -> None:
    from bench.machine import save_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N rows of each set.")
    args = parser.parse_args()
    results = score_all(args.limit)
    print_table(results)
    save_results(OUT, results)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
