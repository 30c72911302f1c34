"""Throughput of sentiment scoring: the whole CLI process vs the bare encoder vs a naive loop.

On the same N distinct sentences, for N in --sizes (default 2,000 and 10,000; read at run time from
../shared/data: the UCI review sentences first, then Financial PhraseBank and SemEval-14 sentences):
(a) `heedful nlp predict --task sentiment` as a subprocess, start-up (imports, model load) included;
(b) the bare encoder forward pass, batched (Encoder.embed, batch 64, length-sorted);
(c) a naive `transformers.pipeline("feature-extraction")` called one text at a time, on every k-th of
    the same N texts (--naive-n of them, so the mix of short and long sentences is the same);
texts/s of (b) by batch size; and the opt-in int8 path (HEEDFUL_NLP_QUANTIZE) of the default model,
speed and UCI accuracy against fp32. The process start-up is measured on its own (2 texts) so the
fixed cost and the per-text rate can be read apart. Each figure is the median of --runs runs.
Prints a table and writes bench/results/nlp_speed.json.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.encoder import Encoder, default_encoder_path  # noqa: E402
from nlp.inference.sentiment import load_sentiment_model  # noqa: E402
from nlp.settings import NLPSettings  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
SOURCES = ("uci_sentiment_sentences", "financial_phrasebank", "semeval2014_absa_restaurants")
OUT = ROOT / "bench" / "results" / "nlp_speed.json"
BATCH_SIZES = (8, 32, 64, 128)


def load_texts(n: int) -> list[str]:
    """N distinct sentences; never repeats one (a repeat would flatter any cache)."""
    seen: dict[str, None] = {}
    for source in SOURCES:
        with (SHARED / source / "data.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                seen.setdefault(row["text"], None)
                if len(seen) == n:
                    return list(seen)
    raise SystemExit(f"only {len(seen)} distinct sentences in {', '.join(SOURCES)}; ask for fewer")


def load_uci() -> tuple[list[str], list[str]]:
    with (SHARED / "uci_sentiment_sentences" / "data.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def median_rate(n: int, run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(n / statistics.median(times), 1)


def cli_seconds(texts: list[str], runs: int, env_extra: dict[str, str] | None = None) -> float:
    """Median wall seconds of `heedful nlp predict --task sentiment` on `texts`, as a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["text"], *[[t] for t in texts]])
        cmd = [sys.executable, "-c", "from heedful.cli import cli; cli()", "nlp", "predict", "--task", "sentiment"]
        cmd += ["--data", str(src), "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(cmd, check=True, env=env, capture_output=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times)


def naive_pipeline() -> Any:
    """What people write first: a transformers pipeline, to be called once per text."""
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    path = str(default_encoder_path())
    extractor = pipeline("feature-extraction", model=path, tokenizer=path, device="cpu")
    extractor("warm-up")
    return extractor


def naive_rate(extractor: Any, texts: list[str], runs: int) -> float:
    def run() -> None:
        for text in texts:
            extractor(text, truncation=True)

    return median_rate(len(texts), run, runs)


def int8_delta(texts: list[str], runs: int) -> dict[str, Any]:
    """The shipped default model, fp32 vs int8 (HEEDFUL_NLP_QUANTIZE=1): encoder rate and UCI accuracy."""
    uci_texts, gold = load_uci()
    rates: dict[str, float] = {}
    accuracy: dict[str, float] = {}
    for name, quantize in (("fp32", False), ("int8", True)):
        model = load_sentiment_model(NLPSettings(quantize=quantize))
        encoder = getattr(model, "encoder", None)
        if isinstance(encoder, Encoder):
            encoder.embed(texts[:64])
            rates[name] = median_rate(len(texts), lambda enc=encoder: enc.embed(texts), runs)
        results = model.predict(uci_texts)
        predicted = ["negative" if r.overall.score < 0 else "positive" for r in results]
        accuracy[name] = round(sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold), 4)
    return {
        "model": "default (LoRA)",
        "encoder_texts_per_s": rates,
        "speedup": round(rates["int8"] / rates["fp32"], 2) if len(rates) == 2 else None,
        "uci_binary_accuracy": accuracy,
        "accuracy_delta": round(accuracy["int8"] - accuracy["fp32"], 4),
    }


def measure(sizes: list[int], runs: int, naive_n: int) -> dict[str, Any]:
    texts_all = load_texts(max(sizes))
    encoder = Encoder().load()
    encoder.embed(texts_all[:64])  # warm-up
    startup = cli_seconds(texts_all[:2], runs)
    results: dict[str, Any] = {"runs": runs, "cli_startup_seconds_2_texts": round(startup, 2), "by_size": {}}
    extractor = naive_pipeline()
    rows = []
    for n in sizes:
        texts = texts_all[:n]
        a = round(n / cli_seconds(texts, runs), 1)
        b = median_rate(n, lambda texts=texts: encoder.embed(texts), runs)
        # every k-th of the same texts: the same mix of short and long sentences as (a) and (b)
        c = naive_rate(extractor, texts[:: max(1, n // naive_n)][:naive_n], runs)
        rows.append([n, a, b, c, round(a / b, 3), round(a / c, 2)])
        results["by_size"][str(n)] = {
            "a_cli_process": a,
            "b_bare_encoder": b,
            "c_naive_pipeline_one_at_a_time": c,
            "ratio_a_over_b": round(a / b, 3),
            "ratio_a_over_c": round(a / c, 2),
        }
    results["table"] = {
        "caption": f"texts/s, median of {runs} runs; (c) on every k-th text, {naive_n} of them; "
        "targets a/b >= 0.8, a/c >= 10",
        "columns": ["texts", "(a) nlp predict process", "(b) bare encoder", "(c) naive pipeline", "a/b", "a/c"],
        "rows": rows,
    }
    sweep = texts_all[:1000]
    results["bare_encoder_by_batch_size"] = {
        str(bs): median_rate(len(sweep), lambda bs=bs: encoder.embed(sweep, batch_size=bs), runs) for bs in BATCH_SIZES
    }
    results["int8"] = int8_delta(texts_all[:2000], runs)
    return results


def print_table(r: dict[str, Any]) -> None:
    print(f"median of {r['runs']} runs (texts/s); process start-up on 2 texts: {r['cli_startup_seconds_2_texts']} s")
    for n, v in r["by_size"].items():
        print(
            f"n={n:>6}: (a) nlp predict {v['a_cli_process']:>7}  (b) bare encoder {v['b_bare_encoder']:>7}  "
            f"(c) naive {v['c_naive_pipeline_one_at_a_time']:>7}  "
            f"a/b {v['ratio_a_over_b']} (target >= 0.8)  a/c {v['ratio_a_over_c']} (target >= 10)"
        )
    print("bare encoder by batch size: " + ", ".join(f"{k}: {v}" for k, v in r["bare_encoder_by_batch_size"].items()))
    q = r["int8"]
    print(
        f"int8 (default model): encoder {q['encoder_texts_per_s']} texts/s (x{q['speedup']}), "
        f"UCI accuracy {q['uci_binary_accuracy']}, delta {q['accuracy_delta']:+}"
    )


def main() -> None:
    from bench.machine import save_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda v: [int(x) for x in v.split(",")], default=[2000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-n", type=int, default=300, help="Texts for the slow one-at-a-time loop.")
    args = parser.parse_args()
    results = measure(args.sizes, args.runs, args.naive_n)
    print_table(results)
    save_results(OUT, results)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
