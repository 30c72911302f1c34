"""Answering a survey under load, against the production server setup, on loopback only.

For each database (SQLite file, and PostgreSQL when HEEDFUL_TEST_DATABASE_URL or
HEEDFUL_BENCH_DATABASE_URL names one) this starts gunicorn on 127.0.0.1 with the setup recommended for
that database (README, "Running the web server"), creates a customer survey, and runs a bounded load:
C virtual respondents (C = 1, 10, 50) each open the survey once (GET: session cookie + CSRF token) and
then submit answers repeatedly (POST) for a fixed time. It reports submissions/s, p50/p95/p99 POST
latency, errors (must be 0), and the same load against the trivial endpoint /livez on the same server
(the ceiling). Each level runs RUNS times and the median of each figure is kept. Every request goes to
127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DURATION_S = float(os.environ.get("HEEDFUL_BENCH_SECONDS", "8"))
CONCURRENCY = (1, 10, 50)
RUNS = int(os.environ.get("HEEDFUL_BENCH_RUNS", "3"))

# SQLite allows one writer at a time: one process whose threads queue on an in-process lock beats
# several processes that sleep in SQLite's busy handler. PostgreSQL takes a process per core.
SERVER = {
    "sqlite": {"workers": 1, "threads": 8},
    "postgresql": {"workers": 4, "threads": 4},
}


def server_setup(label: str) -> dict[str, int]:
    """The gunicorn setup for a database; HEEDFUL_BENCH_WORKERS / _THREADS override it."""
    setup = dict(SERVER[label])
    for key in ("workers", "threads"):
        if os.environ.get(f"HEEDFUL_BENCH_{key.upper()}"):
            setup[key] = int(os.environ[f"HEEDFUL_BENCH_{key.upper()}"])
    return setup


class FormParser(HTMLParser):
    """Collect the first POST form's action and a plausible answer for every field."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._seen_radio: set[str] = set()
        self._in_form = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post" and self.action is None:
            self.action, self._in_form = a.get("action", ""), True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("hidden",):
                self.fields.append((name, a.get("value", "")))
            elif kind in ("radio", "checkbox") and name not in self._seen_radio:
                self._seen_radio.add(name)
                # The highest option of a scale reads as a happy customer; any value is valid.
                self.fields.append((name, a.get("value", "on")))
            elif kind in ("text", "email", "number") and "honeypot" not in a.get("class", "") + name:
                # Leave the honeypot (hidden from people, tabindex -1) empty like a person would.
                if a.get("tabindex") != "-1" and "website" not in name:
                    self.fields.append((name, "5" if kind == "number" else "Fast delivery, friendly staff"))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, "Delivery was quick but the box was damaged."))
        elif tag == "select" and name:
            self.fields.append((name, "__first_option__"))
        elif tag == "option" and self.fields and self.fields[-1][1] == "__first_option__" and a.get("value"):
            self.fields[-1] = (self.fields[-1][0], a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database(url: str) -> str:
    """Migrate and create a survey with NPS, CSAT and a comment; return its slug."""
    sys.path.insert(0, str(ROOT))
    from migrations.runner import upgrade
    from models import Question, Survey
    from models.db import make_engine, make_session_factory

    upgrade(url)
    engine = make_engine(url)
    slug = f"bench-{int(time.time())}"
    with make_session_factory(engine)() as s, s.begin():
        survey = Survey(slug=slug, title="Bench survey", audience="customer")
        survey.questions = [
            Question(key="nps", type="nps", position=0, required=True, texts={"en": {"label": "Recommend us?"}}),
            Question(key="csat", type="csat", position=1, texts={"en": {"label": "Satisfied?"}}),
            Question(key="why", type="long_text", position=2, settings={"max_length": 2000},
                     texts={"en": {"label": "Why?"}}),
        ]
        s.add(survey)
    engine.dispose()
    return slug


def start_server(url: str, port: int, instance: str, setup: dict[str, int]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HEEDFUL_DATABASE_URL": url, "HEEDFUL_SECRET_KEY": "bench-secret",
           "HEEDFUL_INSTANCE_PATH": instance, "HEEDFUL_ENV": "production",
           # Every simulated respondent comes from 127.0.0.1: lift the per-client limit, or it measures 429s.
           "HEEDFUL_RATE_LIMIT_BURST": "1000000", "HEEDFUL_RATE_LIMIT_PER_MINUTE": "1000000"}
    for key in [k for k in env if k.startswith("HEEDFUL_BENCH_") or k == "HEEDFUL_TEST_DATABASE_URL"]:
        del env[key]  # the bench's own knobs are not app settings (unknown HEEDFUL_* keys are refused)
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(setup["workers"]), "-k", "gthread",
           "--threads", str(setup["threads"]),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", "survey_app:create_app()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/livez")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _cookie(resp: http.client.HTTPResponse) -> str:
    return "; ".join(h.split(";", 1)[0] for k, h in resp.getheaders() if k.lower() == "set-cookie")


def open_survey(port: int, slug: str) -> tuple[str, str, str]:
    """GET the survey page once: return (cookie, form action, url-encoded answers)."""
    from urllib.parse import urlencode

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", f"/s/{slug}")
    resp = c.getresponse()
    body = resp.read().decode()
    if resp.status != 200:
        raise RuntimeError(f"GET /s/{slug} → {resp.status}")
    p = FormParser()
    p.feed(body)
    if p.action is None:
        raise RuntimeError("no form on the survey page")
    return _cookie(resp), p.action or f"/s/{slug}", urlencode(p.fields)


def load(port: int, concurrency: int, make_request: Any) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + DURATION_S

    def user() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        state = make_request("setup", None)
        local: list[float] = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                status = make_request(conn, state)
            except OSError as exc:
                status = f"{type(exc).__name__}"
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            local.append(time.perf_counter() - t0)
            if status not in (200, 302, 303):
                with lock:
                    errors.append(str(status))
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=user) for _ in range(concurrency)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 2 else [0.0] * 99
    return {"concurrency": concurrency, "requests": len(latencies), "rate_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "errors": len(errors), "error_kinds": sorted(set(errors))[:5]}


def median_run(port: int, concurrency: int, make_request: Any) -> dict[str, Any]:
    """RUNS loads at one level; the median of each figure, errors summed over all runs."""
    runs = [load(port, concurrency, make_request) for _ in range(RUNS)]
    out: dict[str, Any] = {k: statistics.median(r[k] for r in runs)
                           for k in ("rate_per_s", "p50_ms", "p95_ms", "p99_ms")}
    out["errors"] = sum(r["errors"] for r in runs)
    out["error_kinds"] = sorted({k for r in runs for k in r["error_kinds"]})[:5]
    out["runs"] = [r["rate_per_s"] for r in runs]
    return out


def bench_database(label: str, url: str) -> list[dict[str, Any]]:
    slug = prepare_database(url)
    port = free_port()
    setup = server_setup(label)
    with tempfile.TemporaryDirectory() as instance:
        server = start_server(url, port, instance, setup)
        try:
            rows = []
            for c in CONCURRENCY:
                def submit(conn: Any, state: Any) -> Any:
                    if conn == "setup":
                        return open_survey(port, slug)
                    cookie, action, body = state
                    conn.request("POST", action, body=body, headers={
                        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                    resp = conn.getresponse()
                    resp.read()
                    return resp.status

                def trivial(conn: Any, state: Any) -> Any:
                    if conn == "setup":
                        return None
                    conn.request("GET", "/livez")
                    resp = conn.getresponse()
                    resp.read()
                    return resp.status

                sub = median_run(port, c, submit)
                ceil = median_run(port, c, trivial)
                rows.append({"database": label, "server": f"gunicorn {setup['workers']}×{setup['threads']} gthread",
                             "concurrency": c, "submissions_per_s": sub["rate_per_s"],
                             "p50_ms": sub["p50_ms"], "p95_ms": sub["p95_ms"], "p99_ms": sub["p99_ms"],
                             "errors": sub["errors"], "error_kinds": sub["error_kinds"],
                             "ceiling_per_s": ceil["rate_per_s"],
                             "ratio_to_ceiling": round(sub["rate_per_s"] / max(ceil["rate_per_s"], 1e-9), 3),
                             "submission_runs": sub["runs"], "ceiling_runs": ceil["runs"]})
                print(json.dumps(rows[-1]), flush=True)
            return rows
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def main() -> None:
    from bench.machine import machine_info
    from models.db import scratch_database

    rows: list[dict[str, Any]] = []
    only = os.environ.get("HEEDFUL_BENCH_ONLY", "")  # "sqlite" or "postgresql" to run one of them
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            rows += bench_database("sqlite", f"sqlite:///{tmp}/bench.db")
    pg = os.environ.get("HEEDFUL_BENCH_DATABASE_URL") or os.environ.get("HEEDFUL_TEST_DATABASE_URL")
    if pg and only in ("", "postgresql"):
        with scratch_database(pg, "heedful_bench") as url:
            rows += bench_database("postgresql", url)
    cols = ["database", "server", "concurrency", "submissions_per_s", "p50_ms", "p95_ms", "p99_ms", "errors",
            "ceiling_per_s", "ratio_to_ceiling"]
    result = {
        "machine": machine_info(),
        # Other work on the machine moves these figures a lot: keep the load next to them.
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
        "setup": {
            "server": {label: f"gunicorn -k gthread -w {v['workers']} --threads {v['threads']}"
                       for label, v in ((k, server_setup(k)) for k in SERVER)},
            "why": "SQLite: one process, threads queue on an in-process write lock (no busy-handler sleeps); "
                   "PostgreSQL: several processes",
            "load": f"{DURATION_S:g} s per run, median of {RUNS} runs per level, loopback only, "
                    "load generator on the same machine",
        },
        "runs_per_level": {"rows": [[r["database"], r["concurrency"], r["submission_runs"], r["ceiling_runs"]]
                                    for r in rows], "columns": ["database", "concurrency", "submissions_per_s",
                                                                "ceiling_per_s"]},
        "targets": "ratio_to_ceiling ≥ 0.5; p99 < 100 ms at 50 concurrent; errors = 0",
        "table": {"columns": cols, "rows": [[r[c] for c in cols] for r in rows]},
    }
    out = Path(os.environ.get("HEEDFUL_BENCH_OUT", RESULTS / "web_load.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    if any(r["errors"] for r in rows):
        print("errors during load: " + json.dumps([r["error_kinds"] for r in rows]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
