"""Trend table speed on SQLite: full rebuild at 10k / 100k / 1M answers, and folding in 1,000 new answers.

Each size gets a fresh file database filled with synthetic data (bulk inserts, not timed): one year of
responses over 8 sites, 6 departments, 2 segment attributes; 4 answers per response (NPS, CSAT, rating,
comment) with a stored analysis and 1–2 topic tags per comment. Prints figures and writes
bench/results/trends.json. Never asserts: targets are reported next to the figures.

Usage: python bench/trends_bench.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, insert, select  # noqa: E402

import models  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.trends.refresh import rebuild_trends, refresh_trends  # noqa: E402
from models import Answer, Question, Response, Site, Survey, TextAnalysis, TopicTag, TrendRow  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.queue import mark_trend_dirty  # noqa: E402
from models.settings import load_settings  # noqa: E402

ANSWERS_PER_RESPONSE = 4
TOPICS = ["delivery", "staff", "price", "quality", "website", "returns", "support", "packaging"]
START = date(2024, 1, 1)
DAYS = 365
MODEL = ("bench-sentiment+minilm", "b1")


def _setup(engine: Engine) -> tuple[int, dict[str, int]]:
    models.Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(Site), [{"code": f"s{i}", "name": f"Site {i}"} for i in range(8)])
        conn.execute(insert(models.Department), [{"code": f"d{i}", "name": f"Dept {i}"} for i in range(6)])
        survey_id = conn.execute(insert(Survey).values(slug="bench", title="Bench", audience="customer",
                                                       texts={}, languages=["en"])).inserted_primary_key[0]
        qids = {}
        for pos, (key, qtype) in enumerate([("nps", "nps"), ("csat", "csat"), ("rating", "rating"),
                                            ("why", "long_text")]):
            qids[key] = conn.execute(insert(Question).values(
                survey_id=survey_id, key=key, type=qtype, position=pos, texts={}, options=[], settings={}
            )).inserted_primary_key[0]
    return int(survey_id), {k: int(v) for k, v in qids.items()}


def _fill(engine: Engine, survey_id: int, qids: dict[str, int], responses: int, rng: random.Random,
          first_id: int, day: date | None = None) -> None:
    """Insert `responses` responses (4 answers each, scored comments) with explicit ids, in chunks."""
    chunk = 20_000
    now = datetime.now(UTC)
    rid, aid = first_id, first_id * ANSWERS_PER_RESPONSE
    for start in range(0, responses, chunk):
        n = min(chunk, responses - start)
        resp, ans, ana, tags = [], [], [], []
        for _ in range(n):
            rid += 1
            d = day or START + timedelta(days=rng.randrange(DAYS))
            resp.append({"id": rid, "survey_id": survey_id, "site_id": rng.randint(1, 8),
                         "department_id": rng.randint(1, 6), "submitted_on": d, "language": "en",
                         "segment": {"region": rng.choice(["eu", "us", "apac", "latam"]),
                                     "channel": rng.choice(["web", "store", "phone"])},
                         "contact_consent": False})
            for key, number in (("nps", rng.randint(0, 10)), ("csat", rng.randint(1, 5)),
                                ("rating", rng.randint(1, 5))):
                aid += 1
                ans.append({"id": aid, "response_id": rid, "question_id": qids[key], "number": float(number),
                            "text": None, "text_state": "none", "attempts": 0})
            aid += 1
            ans.append({"id": aid, "response_id": rid, "question_id": qids["why"], "number": None,
                        "text": "synthetic comment", "text_state": "scored", "attempts": 0})
            score = rng.uniform(-1, 1)
            label = "negative" if score < -0.3 else "positive" if score > 0.3 else "neutral"
            ana.append({"id": aid, "answer_id": aid, "redacted_text": "synthetic comment", "redacted_kinds": [],
                        "no_text": False, "sentiment_label": label, "sentiment_score": score,
                        "sentiment_confidence": 0.9, "mixed": False, "sentences": [], "urgent": False,
                        "urgency_score": 0.0, "model_name": MODEL[0], "model_version": MODEL[1], "analyzed_at": now})
            for t_i, topic in enumerate(rng.sample(TOPICS, rng.randint(1, 2))):
                tags.append({"analysis_id": aid, "topic": topic, "score": 0.8, "is_top": t_i == 0,
                             "sentiment_label": label, "sentiment_score": score, "sentence_indexes": [0],
                             "source": "taxonomy"})
        with engine.begin() as conn:
            conn.execute(insert(Response), resp)
            conn.execute(insert(Answer), ans)
            conn.execute(insert(TextAnalysis), ana)
            conn.execute(insert(TopicTag), tags)


def run_size(answers: int, workdir: Path) -> dict[str, Any]:
    rng = random.Random(answers)
    url = f"sqlite:///{workdir / f'trends_{answers}.db'}"
    engine = make_engine(url)
    survey_id, qids = _setup(engine)
    responses = answers // ANSWERS_PER_RESPONSE
    t0 = time.perf_counter()
    _fill(engine, survey_id, qids, responses, rng, first_id=0)
    fill_s = time.perf_counter() - t0
    settings = load_settings({"HEEDFUL_DATABASE_URL": url, "HEEDFUL_INSTANCE_PATH": str(workdir),
                              "HEEDFUL_SECRET_KEY": "bench"})
    ctx = JobContext(settings=settings, sessions=make_session_factory(engine))

    t0 = time.perf_counter()
    stats = rebuild_trends(ctx)
    rebuild_s = time.perf_counter() - t0

    # 1,000 new answers (250 responses) arrive on the last day, scored, their day queued.
    last_day = START + timedelta(days=DAYS - 1)
    _fill(engine, survey_id, qids, 250, rng, first_id=responses + 10, day=last_day)
    with ctx.sessions() as s, s.begin():
        mark_trend_dirty(s, survey_id, last_day)
    t0 = time.perf_counter()
    inc = refresh_trends(ctx)
    incremental_s = time.perf_counter() - t0
    with ctx.sessions() as s:
        rows = s.scalar(select(func.count()).select_from(TrendRow)) or 0
        total_answers = s.scalar(select(func.count()).select_from(Answer)) or 0
    engine.dispose()
    return {
        "answers": answers, "answers_after_increment": total_answers, "responses": responses,
        "fill_s": round(fill_s, 2), "rebuild_s": round(rebuild_s, 3), "rebuild_rows": stats.processed,
        "rebuild_answers_per_s": round(answers / rebuild_s), "incremental_1000_answers_s": round(incremental_s, 3),
        "incremental_rows": inc.processed, "incremental_periods": inc.detail.get("periods"), "trend_rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="heedful-trends-bench-") as tmp:
        for n in sizes:
            r = run_size(n, Path(tmp))
            results.append(r)
            print(f"{n:>9,} answers: rebuild {r['rebuild_s']:7.2f}s ({r['rebuild_answers_per_s']:>9,}/s, "
                  f"{r['rebuild_rows']:,} rows)  +1,000 answers incrementally {r['incremental_1000_answers_s']:.3f}s "
                  f"({r['incremental_rows']:,} rows in {r['incremental_periods']} periods)", flush=True)
    per_answer = [r["rebuild_s"] / r["answers"] for r in results]
    out = {
        "benchmark": "trends", "database": "sqlite (file, WAL)", "machine": machine_info(),
        "targets": {"rebuild_1m_s": 60, "incremental_1000_s": 1.0, "growth": "linear"},
        "results": results,
        "seconds_per_1k_answers": [round(1000 * x, 4) for x in per_answer],
        "note": "Synthetic: 1 survey, 365 days, 8 sites, 6 departments, region×channel segments, 8 topics. "
                "Rows = day/week/month × (all, site, department, region, channel) × (all + topics).",
    }
    path = ROOT / "bench" / "results" / "trends.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
