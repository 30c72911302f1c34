"""Throughput of sentiment scoring: the whole CLI process vs the bare encoder vs a naive loop.

On the same N sentences (default 2,000 from ../shared/data/uci_sentiment_sentences, read at run time):
(a) `heedful nlp predict --task sentiment` as a subprocess, start-up included;
(b) the bare encoder forward pass, batched (Encoder.embed, batch 64);
(c) a naive loop: one text at a time through tokenizer + model (measured on a subset, reported per text);
texts/s of (b) by batch size; and the opt-in int8 path (NLPSettings.quantize) with its accuracy delta.
Each figure is the median of --runs runs. Prints a table and writes bench/results/nlp_speed.json.
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

from nlp.encoder import Encoder, EncoderConfig  # noqa: E402
from nlp.sentiment import HeadSentimentModel  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "uci_sentiment_sentences" / "data.csv"
OUT = ROOT / "bench" / "results" / "nlp_speed.json"
BATCH_SIZES = (8, 32, 64, 128)


def load_texts(n: int) -> tuple[list[str], list[str]]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:n]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def median_rate(n: int, run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(n / statistics.median(times), 1)


def cli_process(texts: list[str], runs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["text"], *[[t] for t in texts]])
        cmd = [sys.executable, "-c", "from heedful.cli import cli; cli()", "nlp", "predict", "--task", "sentiment"]
        cmd += ["--data", str(src), "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return median_rate(len(texts), lambda: subprocess.run(cmd, check=True, env=env, capture_output=True), runs)


def naive_loop(texts: list[str], encoder: Encoder, runs: int) -> float:
    import torch

    tokenizer, model = encoder.tokenizer(), encoder._model

    def run() -> None:
        with torch.inference_mode():
            for text in texts:
                model(**tokenizer(text, truncation=True, max_length=256, return_tensors="pt"))

    return median_rate(len(texts), run, runs)


def int8_delta(texts: list[str], gold: list[str], base: Encoder, runs: int) -> dict[str, Any]:
    quantized = Encoder(EncoderConfig(quantize=True)).load()
    rates = {"fp32": median_rate(len(texts), lambda: base.embed(texts), runs)}
    rates["int8"] = median_rate(len(texts), lambda: quantized.embed(texts), runs)
    accuracy = {}
    for name, enc in (("fp32", base), ("int8", quantized)):
        results = HeadSentimentModel(enc).load().predict(texts)
        predicted = ["negative" if r.overall.score < 0 else "positive" for r in results]
        accuracy[name] = round(sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold), 4)
    delta = round(accuracy["int8"] - accuracy["fp32"], 4)
    return {"texts_per_s": rates, "uci_binary_accuracy": accuracy, "accuracy_delta": delta}


def measure(n: int, runs: int, naive_n: int) -> dict[str, Any]:
    texts, gold = load_texts(n)
    encoder = Encoder().load()
    encoder.embed(texts[:64])  # warm-up
    results: dict[str, Any] = {"n": len(texts), "runs": runs}
    results["a_cli_process"] = cli_process(texts, runs)
    results["b_bare_encoder"] = median_rate(len(texts), lambda: encoder.embed(texts), runs)
    results["c_naive_one_at_a_time"] = naive_loop(texts[:naive_n], encoder, runs)
    sweep = texts[: min(len(texts), 1000)]
    results["bare_encoder_by_batch_size"] = {
        str(bs): median_rate(len(sweep), lambda bs=bs: encoder.embed(sweep, batch_size=bs), runs) for bs in BATCH_SIZES
    }
    results["int8"] = int8_delta(texts, gold, encoder, runs)
    results["ratio_a_over_b"] = round(results["a_cli_process"] / results["b_bare_encoder"], 3)
    results["ratio_a_over_c"] = round(results["a_cli_process"] / results["c_naive_one_at_a_time"], 2)
    return results


def print_table(r: dict[str, Any]) -> None:
    print(f"texts: {r['n']}, median of {r['runs']} runs (texts/s)")
    print(f"(a) heedful nlp predict, whole process   {r['a_cli_process']:>8}")
    print(f"(b) bare encoder forward, batch 64        {r['b_bare_encoder']:>8}")
    print(f"(c) naive one text at a time              {r['c_naive_one_at_a_time']:>8}")
    print(f"a/b = {r['ratio_a_over_b']} (target >= 0.8)   a/c = {r['ratio_a_over_c']} (target >= 10)")
    print("bare encoder by batch size: " + ", ".join(f"{k}: {v}" for k, v in r["bare_encoder_by_batch_size"].items()))
    q = r["int8"]
    print(f"int8: {q['texts_per_s']} texts/s, UCI accuracy {q['uci_binary_accuracy']}, delta {q['accuracy_delta']:+}")


def main() -> None:
    from bench.machine import save_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-n", type=int, default=300, help="Texts for the slow one-at-a-time loop.")
    args = parser.parse_args()
    results = measure(args.n, args.runs, args.naive_n)
    print_table(results)
    save_results(OUT, results)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
