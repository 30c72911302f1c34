"""CPU seconds the analyzer spends per answer, one thread: a throughput figure a busy machine cannot skew.

Wall-clock rates on a shared 2-core VM swing with other people's load (the same commit measured 0.89x
and 2.3x "end to end / encoder" an hour apart). Process CPU time of one torch thread is what the work
costs. Same texts as bench/pipeline_bench.py (the team customer and worker corpora, alternating),
scored in the scorer's batches through `Analyzer.analyze_many`, after a warm-up batch.
Run it on two checkouts back to back to compare commits. Prints and writes JSON; never asserts.

Usage: python bench/analyzer_cpu.py [--n 512] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "analyzer_cpu.json")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from bench.pipeline_bench import load_texts
    from nlp.analyzer import Analyzer
    from nlp.encoder import Encoder
    from nlp.settings import NLPSettings
    from nlp.taxonomy import default_taxonomy

    items = load_texts(args.n)
    analyzer = Analyzer(NLPSettings(threads=1)).load()
    taxonomies = {a: default_taxonomy(a) for a in ("customer", "worker")}
    analyzer.analyze([t for t, _ in items[:16]], taxonomies["worker"], "worker")  # warm-up, prototypes
    groups = [
        ([t for t, a in items[i : i + args.batch] if a == audience], taxonomies[audience], audience)
        for i in range(0, len(items), args.batch)
        for audience in ("customer", "worker")
    ]
    started = time.process_time()
    analyzer.analyze_many(groups)
    analyzer_cpu = time.process_time() - started
    encoder = Encoder().load()
    started = time.process_time()
    encoder.embed([t for t, _ in items])
    encoder_cpu = time.process_time() - started
    result = {
        "answers": len(items),
        "models": f"{analyzer.name} {analyzer.version}",
        "analyzer_cpu_ms_per_answer": round(1000 * analyzer_cpu / len(items), 2),
        "bare_encoder_cpu_ms_per_answer": round(1000 * encoder_cpu / len(items), 2),
        "analyzer_answers_per_cpu_second": round(len(items) / analyzer_cpu, 1),
        "ratio_analyzer_over_bare_encoder_rate": round(encoder_cpu / analyzer_cpu, 3),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
