"""Answering a survey under load, against the production server setup, on loopback only.

For each database (SQLite file, and PostgreSQL when HEEDFUL_TEST_DATABASE_URL or
HEEDFUL_BENCH_DATABASE_URL names one) this starts gunicorn on 127.0.0.1 with the setup recommended for
that database (README, "Running the web server"), creates a customer survey, and runs a bounded load:
C virtual respondents (C = 1, 10, 50) each open the survey once (GET: session cookie + CSRF token) and
then submit answers repeatedly (POST) for a fixed time. It reports submissions/s, p50/p95/p99 POST
latency, errors (must be 0), and the same load against the trivial endpoint /livez on the same server
(the ceiling). Each level runs RUNS times and the median of each figure is kept. Every request goes to
127.0.0.1 only.

Two kinds of figures, kept apart in the output:
- closed loop ("table"): each virtual respondent submits again as soon as its answer is back. This is
  saturation: the highest rate the server sustains, with the queueing latency that rate costs.
- open loop ("respondents_open_loop"): OPEN_RESPONDENTS people each submitting at Poisson-distributed
  times a mean of OPEN_INTERVALS_S apart (50 × every 1 s = 50 submissions/s offered, and 50 × every
  0.25 s = 200/s, closer to what the server can take, by default), whether
  or not the server keeps up; latency at that offered load, counted from each submission's scheduled time.

The load generator runs on the same cores as the server, so it is kept lean (see Client).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DURATION_S = float(os.environ.get("HEEDFUL_BENCH_SECONDS", "8"))
CONCURRENCY = (1, 10, 50)
RUNS = int(os.environ.get("HEEDFUL_BENCH_RUNS", "3"))
# Open loop ("respondents"): this many people, each submitting at Poisson-distributed times a mean of
# `interval` seconds apart, i.e. OPEN_RESPONDENTS / interval submissions/s offered in all; one row per interval.
OPEN_RESPONDENTS = int(os.environ.get("HEEDFUL_BENCH_RESPONDENTS", "50"))
OPEN_INTERVALS_S = tuple(float(x) for x in os.environ.get("HEEDFUL_BENCH_INTERVALS_S", "1,0.25").split(","))
OPEN_SECONDS = float(os.environ.get("HEEDFUL_BENCH_OPEN_SECONDS", str(2 * DURATION_S)))

# A process per core. SQLite writers of all processes queue on models.write_queue.WriteQueue (no busy-handler
# sleeps); a second thread per process only adds GIL contention there, as SQLite's calls are short and
# in-process. PostgreSQL round trips release the GIL, so a second thread fills that wait.
# (Measured on 2 cores at 50 respondents: SQLite 2x1 ~900-1000/s vs 2x2 ~810-850/s and 1x8 ~420-490/s.)
SERVER = {
    "sqlite": {"workers": 2, "threads": 1},
    "postgresql": {"workers": 2, "threads": 2},
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

    TEXT = "Delivery was quick but the box was damaged."

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
            self.fields.append((name, self.TEXT))
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
    _wait_until_up(proc, port)
    return proc


def _wait_until_up(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/livez")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _cookie(resp: http.client.HTTPResponse) -> str:
    return "; ".join(h.split(";", 1)[0] for k, h in resp.getheaders() if k.lower() == "set-cookie")


def open_survey(port: int, slug: str) -> tuple[str, str, str]:
    """GET the survey page once: return (cookie, form action, url-encoded answers)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", f"/s/{slug}")
    resp = c.getresponse()
    body = resp.read().decode()
    c.close()
    if resp.status != 200:
        raise RuntimeError(f"GET /s/{slug} → {resp.status}")
    p = FormParser()
    p.feed(body)
    if p.action is None:
        raise RuntimeError("no form on the survey page")
    return _cookie(resp), p.action or f"/s/{slug}", urlencode(p.fields)


def raw_request(method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> bytes:
    """The bytes of one HTTP/1.1 request, made once and sent again and again."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


class Client:
    """One virtual respondent's keep-alive connection, sending a prepared request and reading only the status
    line and Content-Length of the answer.

    The load generator shares the machine's cores with the server, so every microsecond it spends is taken
    from the figures it reports: http.client parses each response's headers with the email package, this
    does not.
    """

    def __init__(self, port: int, request: bytes) -> None:
        self.port, self.request = port, request
        self.sock: socket.socket | None = None

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def send(self) -> int:
        """Send the request and read the whole response; reconnect once if the server closed the connection."""
        for attempt in (0, 1):
            if self.sock is None:
                self.sock = self._connect()
            try:
                self.sock.sendall(self.request)
                return self._read(self.sock)
            except (ConnectionError, _Closed):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def error(self) -> str | None:
        """Send once; None when the answer is a success (200 or a redirect), else what went wrong."""
        try:
            status = self.send()
        except OSError as exc:
            self.close()
            return type(exc).__name__
        return None if status in (200, 302, 303) else str(status)

    def _read(self, sock: socket.socket) -> int:
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise _Closed()
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        i = lower.find(b"\r\ncontent-length:")
        if i < 0:
            raise OSError("response without Content-Length")
        j = lower.find(b"\r\n", i + 2)
        length = int(lower[i + len(b"\r\ncontent-length:"):j if j >= 0 else len(lower)])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise _Closed()
            rest += chunk
        if b"\r\nconnection: close" in lower:
            self.close()
        return status

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class _Closed(OSError):
    """The server closed a kept-alive connection (its keep-alive timeout): send again on a new one."""


def _quantiles(latencies: list[float]) -> dict[str, float]:
    q = statistics.quantiles(sorted(latencies), n=100) if len(latencies) > 2 else [0.0] * 99
    return {"p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1)}


def load(port: int, concurrency: int, prepare: Callable[[], bytes]) -> dict[str, Any]:
    """Closed loop: each virtual respondent sends again the moment its previous answer is back (saturation)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    # Every respondent opens the survey (GET, cookie, CSRF token) before the clock starts.
    clients = [Client(port, prepare()) for _ in range(concurrency)]
    go = threading.Barrier(concurrency + 1)
    stop_at = 0.0

    def user(client: Client) -> None:
        local: list[float] = []
        bad: list[str] = []
        go.wait()
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            error = client.error()
            local.append(time.perf_counter() - t0)
            if error is not None:
                bad.append(error)
        client.close()
        with lock:
            latencies.extend(local)
            errors.extend(bad)

    threads = [threading.Thread(target=user, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at = t0 + DURATION_S
    go.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"concurrency": concurrency, "requests": len(latencies), "rate_per_s": round(len(latencies) / elapsed, 1),
            **_quantiles(latencies), "errors": len(errors), "error_kinds": sorted(set(errors))[:5]}


def open_loop(port: int, respondents: int, interval_s: float, duration_s: float,
              prepare: Callable[[], bytes], seed: int = 7) -> dict[str, Any]:
    """Open loop: each respondent submits at Poisson-distributed times (mean `interval_s` apart), whether or
    not the server keeps up. Latency counts from the scheduled time, so an answer that waits behind the same
    respondent's previous one is counted with its wait (no coordinated omission)."""
    latencies: list[float] = []
    errors: list[str] = []
    late = 0
    last_done = 0.0
    lock = threading.Lock()
    clients = [Client(port, prepare()) for _ in range(respondents)]
    start = time.perf_counter() + 0.5
    end = start + duration_s

    def user(client: Client, rng: random.Random) -> None:
        nonlocal late, last_done
        local: list[float] = []
        bad: list[str] = []
        behind = 0
        at = start + rng.expovariate(1 / interval_s)
        while at < end:
            now = time.perf_counter()
            if at > now:
                time.sleep(at - now)
            elif now - at > 0.001:
                behind += 1
            error = client.error()
            local.append(time.perf_counter() - at)
            if error is not None:
                bad.append(error)
            at += rng.expovariate(1 / interval_s)
        done = time.perf_counter()
        client.close()
        with lock:
            latencies.extend(local)
            errors.extend(bad)
            late += behind
            last_done = max(last_done, done)

    threads = [threading.Thread(target=user, args=(c, random.Random(seed * 1000 + i)))
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"respondents": respondents, "mean_interval_s": interval_s,
            "offered_per_s": round(respondents / interval_s, 1), "seconds": duration_s,
            # Arrivals are random: the schedule drawn holds about, not exactly, the offered rate.
            "submissions": len(latencies), "scheduled_per_s": round(len(latencies) / duration_s, 1),
            "achieved_per_s": round(len(latencies) / max(last_done - start, duration_s), 1),
            **_quantiles(latencies), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "sent_late": late}


def median_run(port: int, concurrency: int, prepare: Callable[[], bytes]) -> dict[str, Any]:
    """RUNS loads at one level; the median of each figure, errors summed over all runs."""
    runs = [load(port, concurrency, prepare) for _ in range(RUNS)]
    out: dict[str, Any] = {k: statistics.median(r[k] for r in runs)
                           for k in ("rate_per_s", "p50_ms", "p95_ms", "p99_ms")}
    out["errors"] = sum(r["errors"] for r in runs)
    out["error_kinds"] = sorted({k for r in runs for k in r["error_kinds"]})[:5]
    out["runs"] = [r["rate_per_s"] for r in runs]
    return out


def median_open_loop(port: int, interval_s: float, prepare: Callable[[], bytes]) -> dict[str, Any]:
    runs = [open_loop(port, OPEN_RESPONDENTS, interval_s, OPEN_SECONDS, prepare, seed=7 + i)
            for i in range(RUNS)]
    out = dict(runs[0])
    for k in ("submissions", "scheduled_per_s", "achieved_per_s", "p50_ms", "p95_ms", "p99_ms", "sent_late"):
        out[k] = statistics.median(r[k] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    out["error_kinds"] = sorted({k for r in runs for k in r["error_kinds"]})[:5]
    out["p99_runs"] = [r["p99_ms"] for r in runs]
    return out


def bench_database(label: str, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    slug = prepare_database(url)
    port = free_port()
    setup = server_setup(label)
    server_name = f"gunicorn {setup['workers']}×{setup['threads']} gthread"
    form = "application/x-www-form-urlencoded"

    def submission() -> bytes:
        cookie, action, body = open_survey(port, slug)
        return raw_request("POST", action, {"Cookie": cookie, "Content-Type": form}, body)

    def trivial() -> bytes:
        return raw_request("GET", "/livez")

    with tempfile.TemporaryDirectory() as instance:
        server = start_server(url, port, instance, setup)
        try:
            rows = []
            for c in CONCURRENCY:
                sub = median_run(port, c, submission)
                ceil = median_run(port, c, trivial)
                rows.append({"database": label, "server": server_name,
                             "concurrency": c, "submissions_per_s": sub["rate_per_s"],
                             "p50_ms": sub["p50_ms"], "p95_ms": sub["p95_ms"], "p99_ms": sub["p99_ms"],
                             "errors": sub["errors"], "error_kinds": sub["error_kinds"],
                             "ceiling_per_s": ceil["rate_per_s"],
                             "ratio_to_ceiling": round(sub["rate_per_s"] / max(ceil["rate_per_s"], 1e-9), 3),
                             "submission_runs": sub["runs"], "ceiling_runs": ceil["runs"]})
                print(json.dumps(rows[-1]), flush=True)
            respondents = []
            for interval in OPEN_INTERVALS_S:
                respondents.append({"database": label, "server": server_name,
                                    **median_open_loop(port, interval, submission)})
                print(json.dumps(respondents[-1]), flush=True)
            return rows, respondents
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def bench_floor(setup: dict[str, int], body: str) -> dict[str, Any]:
    """bench/web_floor_app.py (no framework) at 50 respondents, against its own /livez: how far below 1
    the ratio to a trivial endpoint is for any submission that writes to a database."""
    port = free_port()
    form = "application/x-www-form-urlencoded"
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PATH": os.environ.get("PATH", ""), "HEEDFUL_FLOOR_DB": f"{tmp}/floor.db"}
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(setup["workers"]), "-k", "gthread",
               "--threads", str(setup["threads"]), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               "bench.web_floor_app:app"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        try:
            _wait_until_up(proc, port)
            sub = median_run(port, 50, lambda: raw_request("POST", "/s/floor", {"Content-Type": form}, body))
            ceil = median_run(port, 50, lambda: raw_request("GET", "/livez"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return {"what": "a bare WSGI function parsing the same answers and inserting the same rows with sqlite3: "
                    "no framework, CSRF, session, validation, rate limit or page (bench/web_floor_app.py)",
            "server": f"gunicorn {setup['workers']}×{setup['threads']} gthread", "concurrency": 50,
            "submissions_per_s": sub["rate_per_s"], "p99_ms": sub["p99_ms"], "errors": sub["errors"],
            "ceiling_per_s": ceil["rate_per_s"],
            "ratio_to_ceiling": round(sub["rate_per_s"] / max(ceil["rate_per_s"], 1e-9), 3)}


def _intervals() -> str:
    return " or ".join(f"{i:g}" for i in OPEN_INTERVALS_S)


def _offered() -> str:
    return " or ".join(f"{OPEN_RESPONDENTS / i:g}" for i in OPEN_INTERVALS_S)


def main() -> None:
    from bench.machine import machine_info
    from tests.scratch import scratch_database

    rows: list[dict[str, Any]] = []
    open_rows: list[dict[str, Any]] = []
    only = os.environ.get("HEEDFUL_BENCH_ONLY", "")  # "sqlite" or "postgresql" to run one of them
    floor: dict[str, Any] | None = None
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            closed, respondents = bench_database("sqlite", f"sqlite:///{tmp}/bench.db")
            rows += closed
            open_rows += respondents
        floor = bench_floor(server_setup("sqlite"), urlencode([("state", "x"), ("csrf_token", "y"),
                                                               ("q-nps", "10"), ("q-csat", "5"),
                                                               ("q-why", FormParser.TEXT)]))
        print(json.dumps(floor), flush=True)
    pg = os.environ.get("HEEDFUL_BENCH_DATABASE_URL") or os.environ.get("HEEDFUL_TEST_DATABASE_URL")
    if pg and only in ("", "postgresql"):
        with scratch_database(pg, "heedful_bench") as url:
            closed, respondents = bench_database("postgresql", url)
            rows += closed
            open_rows += respondents
    cols = ["database", "server", "concurrency", "submissions_per_s", "p50_ms", "p95_ms", "p99_ms", "errors",
            "ceiling_per_s", "ratio_to_ceiling"]
    open_cols = ["database", "server", "respondents", "mean_interval_s", "offered_per_s", "scheduled_per_s",
                 "achieved_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "sent_late"]
    result = {
        "machine": machine_info(),
        # Other work on the machine moves these figures a lot: keep the load next to them.
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
        "setup": {
            "server": {label: f"gunicorn -k gthread -w {v['workers']} --threads {v['threads']}"
                       for label, v in ((k, server_setup(k)) for k in SERVER)},
            "why": "a process per core; SQLite writers of all processes queue on one file lock "
                   "(models.write_queue.WriteQueue, no busy-handler sleeps), PostgreSQL gets a second thread per "
                   "process to fill its round trips",
            "load": f"{DURATION_S:g} s per run, median of {RUNS} runs per level, loopback only, "
                    "load generator on the same machine",
            "load_generator": "one thread and one keep-alive connection per virtual respondent, each sending a "
                              "request prepared once (raw socket; reads the status line and Content-Length only)",
            "respondents": f"{OPEN_RESPONDENTS} respondents, each submitting at Poisson-distributed times a mean "
                           f"of {_intervals()} s apart = {_offered()} submissions/s "
                           f"offered; {OPEN_SECONDS:g} s per run, median of {RUNS} runs; latency from the "
                           "scheduled time (a submission waiting behind the same respondent's previous one "
                           "counts its wait)",
        },
        "runs_per_level": {"rows": [[r["database"], r["concurrency"], r["submission_runs"], r["ceiling_runs"]]
                                    for r in rows], "columns": ["database", "concurrency", "submissions_per_s",
                                                                "ceiling_per_s"]},
        "targets": "ratio_to_ceiling ≥ 0.5; p99 < 100 ms at 50 concurrent; errors = 0",
        "table": {"caption": "Closed loop (saturation): each virtual respondent submits again the moment its "
                             "previous answer is back, so these are maximum rates with queueing latencies, "
                             "not a realistic load. ceiling = the same loop against /livez.",
                  "columns": cols, "rows": [[r[c] for c in cols] for r in rows]},
        "floor_without_framework": floor,
        "respondents_open_loop": {
            "caption": f"Open loop (respondents): {OPEN_RESPONDENTS} respondents each submitting about every "
                       f"{_intervals()} s (Poisson arrivals), {_offered()} submissions/s offered in all, whether "
                       "or not the server keeps up; p50/p95/p99 from each submission's scheduled time. "
                       "scheduled_per_s: the random schedule actually drawn; achieved_per_s: answered per second "
                       "until the last answer; sent_late: submissions sent over 1 ms after their time (the same "
                       "respondent's previous answer was not back yet).",
            "columns": open_cols, "rows": [[r[c] for c in open_cols] for r in open_rows]},
    }
    out = Path(os.environ.get("HEEDFUL_BENCH_OUT", RESULTS / "web_load.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    if any(r["errors"] for r in rows + open_rows + ([floor] if floor else [])):
        print("errors during load: " + json.dumps([r["error_kinds"] for r in rows + open_rows]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
