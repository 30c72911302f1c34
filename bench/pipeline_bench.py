"""End-to-end scoring rate vs the bare encoder forward rate, on the same texts.

(a) bare encoder: nlp.encoder.Encoder().embed(texts) — one forward pass per text, batched;
(b) analyzer only: nlp.analyzer.Analyzer.analyze in score batches (redact → sentiment → topics →
    urgency), no database;
(c) end to end: `score_pending` on a file SQLite database — claim → analyze → write analyses, tags,
    trend marks → commit per batch — for new answers (analysis rows inserted, the everyday path);
(d) the same for a re-score of answers that already have analyses (a backfill: rows updated in place).
Texts: the team-written customer and worker corpora in nlp/data, each scored with its audience.
Median of --runs rounds after a warm-up, each round measuring (a)-(d) back to back; resetting the queue
between runs is not timed.
Ratio = (c) / (a); target ≥ 0.8.
Prints figures and writes bench/results/pipeline.json. Never asserts.

Usage: python bench/pipeline_bench.py [--n 2048] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select, update  # noqa: E402

import models  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.scoring import score_pending  # noqa: E402
from models import Answer, Question, Response, Survey, TextAnalysis, TopicTag  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.settings import Settings, load_settings  # noqa: E402
from nlp.analyzer import Analyzer  # noqa: E402
from nlp.encoder import Encoder, EncoderConfig  # noqa: E402
from nlp.settings import NLPSettings  # noqa: E402
from nlp.taxonomy import default_taxonomy  # noqa: E402

OUT = ROOT / "bench" / "results" / "pipeline.json"


def load_texts(n: int) -> list[tuple[str, str]]:
    """(text, audience) pairs, alternating the customer and worker corpora."""
    corpora = {}
    for audience in ("customer", "worker"):
        with (ROOT / "nlp" / "data" / f"sentiment_{audience}.csv").open(encoding="utf-8", newline="") as fh:
            corpora[audience] = [r["text"] for r in csv.DictReader(fh)]
    out: list[tuple[str, str]] = []
    i = 0
    while len(out) < n:
        for audience in ("customer", "worker"):
            texts = corpora[audience]
            out.append((texts[i % len(texts)], audience))
        i += 1
    return out[:n]


def seed_db(url: str, items: list[tuple[str, str]]) -> None:
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    with make_session_factory(engine)() as s, s.begin():
        surveys = {}
        for audience in ("customer", "worker"):
            survey = Survey(slug=f"bench-{audience}", title=f"Bench {audience}", audience=audience)
            survey.questions.append(Question(key="why", type="long_text", position=0))
            s.add(survey)
            s.flush()
            surveys[audience] = survey
        for text, audience in items:
            survey = surveys[audience]
            resp = Response(survey_id=survey.id, submitted_on=_today())
            resp.answers.append(Answer(question_id=survey.questions[0].id, text=text, text_state="pending"))
            s.add(resp)
    engine.dispose()


def _today() -> Any:
    from datetime import date

    return date.today()


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    items = load_texts(args.n)
    texts = [t for t, _a in items]
    nlp_settings = NLPSettings()

    encoder = Encoder(EncoderConfig(model=nlp_settings.encoder, batch_size=nlp_settings.batch_size)).load()
    encoder.embed(texts[:64])

    analyzer = Analyzer(nlp_settings).load()
    # The scorer's configured batch (HEEDFUL_SCORE_BATCH_SIZE, else the default): what production runs.
    settings_batch = int(os.environ.get("HEEDFUL_SCORE_BATCH_SIZE", Settings.score_batch_size))
    taxonomies = {a: default_taxonomy(a) for a in ("customer", "worker")}

    def analyze_only() -> None:
        for audience in ("customer", "worker"):
            group = [t for t, a in items if a == audience]
            for i in range(0, len(group), settings_batch):
                analyzer.analyze(group[i : i + settings_batch], taxonomies[audience], audience)

    analyze_only()

    with tempfile.TemporaryDirectory(prefix="heedful-pipeline-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed_db(url, items)
        settings = load_settings({"HEEDFUL_DATABASE_URL": url, "HEEDFUL_INSTANCE_PATH": tmp,
                                  "HEEDFUL_SECRET_KEY": "bench", "HEEDFUL_SCORE_BATCH_SIZE": str(settings_batch)})
        engine = make_engine(url)
        ctx = JobContext(settings=settings, sessions=make_session_factory(engine),
                         analyzer_factory=lambda _s: analyzer)

        def end_to_end(new: bool) -> float:
            """Seconds for score_pending over every answer; the reset before it is not timed."""
            with ctx.sessions() as s, s.begin():
                if new:  # new answers: no analysis yet, rows are inserted (the everyday path)
                    s.execute(delete(TopicTag))
                    s.execute(delete(TextAnalysis))
                # else: a re-score (backfill after a model change): rows are updated in place
                s.execute(update(Answer).values(text_state="pending"))
            t0 = time.perf_counter()
            stats = score_pending(ctx)
            elapsed = time.perf_counter() - t0
            if stats.processed != len(texts):
                raise RuntimeError(f"scored {stats.processed} of {len(texts)}")
            return elapsed

        # Rounds interleave the four measurements, so a machine that speeds up or slows down during
        # the benchmark (a shared VM does) moves all of them alike; the ratio is taken per round.
        times: dict[str, list[float]] = {"encoder": [], "analyzer": [], "end_to_end": [], "rescore": []}
        for _ in range(args.runs):
            times["encoder"].append(timed(lambda: encoder.embed(texts)))
            times["analyzer"].append(timed(analyze_only))
            times["end_to_end"].append(end_to_end(new=True))
            times["rescore"].append(end_to_end(new=False))
        enc_rate, ana_rate, e2e_rate, rescore_rate = (
            len(texts) / statistics.median(times[k]) for k in ("encoder", "analyzer", "end_to_end", "rescore")
        )
        round_ratios = [round(e / t, 3) for e, t in zip(times["encoder"], times["end_to_end"], strict=True)]
        with ctx.sessions() as s:
            stored = s.scalar(select(func.count()).select_from(TextAnalysis))
        engine.dispose()

    result = {
        "benchmark": "pipeline", "machine": machine_info(), "texts": len(texts), "runs": args.runs,
        "score_batch_size": settings_batch, "model_name": analyzer.name, "model_version": analyzer.version,
        "encoder_texts_per_s": round(enc_rate, 1), "analyzer_texts_per_s": round(ana_rate, 1),
        "end_to_end_answers_per_s": round(e2e_rate, 1), "ratio_end_to_end_vs_encoder": round(e2e_rate / enc_rate, 3),
        "rescore_answers_per_s": round(rescore_rate, 1), "ratio_rescore_vs_encoder": round(rescore_rate / enc_rate, 3),
        "ratio_end_to_end_vs_analyzer": round(e2e_rate / ana_rate, 3), "target_ratio": 0.8,
        "ratio_end_to_end_vs_encoder_per_round": round_ratios,
        "times_s": {k: [round(t, 3) for t in v] for k, v in times.items()},
        "analyses_stored": stored,
    }
    print(f"bare encoder      {enc_rate:8.1f} texts/s")
    print(f"analyzer only     {ana_rate:8.1f} texts/s")
    print(f"end to end (DB)   {e2e_rate:8.1f} answers/s   ratio vs encoder {e2e_rate / enc_rate:.2f} "
          f"(target 0.8), vs analyzer {e2e_rate / ana_rate:.2f}")
    print(f"re-score (DB)     {rescore_rate:8.1f} answers/s   ratio vs encoder {rescore_rate / enc_rate:.2f}")
    print(f"per-round end-to-end / encoder ratios: {result['ratio_end_to_end_vs_encoder_per_round']}")
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
