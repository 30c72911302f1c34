"""`heedful serve` (web only) and `heedful run` (web + scheduler as two processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click

from migrations.runner import check_schema_current
from models.db import check_connection, make_engine
from models.settings import load_settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
def serve_cmd(host: str, port: int, threads: int) -> None:
    """Run the web server (waitress) on HOST:PORT."""
    from waitress import serve

    from survey_app import create_app

    settings = load_settings()
    engine = make_engine(settings.database_url)
    check_connection(engine)
    engine.dispose()
    check_schema_current(settings.database_url)
    app = create_app(settings=settings)
    click.echo(f"Heedful web on http://{host}:{port}/  (Ctrl-C stops)")
    serve(app, host=host, port=port, threads=threads, ident="", clear_untrusted_proxy_headers=True)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run_cmd(host: str, port: int) -> None:
    """Run the web server and the scheduler as two processes; Ctrl-C stops both cleanly."""
    exe = [sys.executable, "-m", "heedful"]
    procs = [
        subprocess.Popen([*exe, "serve", "--host", host, "--port", str(port)]),
        subprocess.Popen([*exe, "scheduler"]),
    ]
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
    code = next((p.returncode for p in procs if p.returncode not in (0, -signal.SIGTERM, None)), 0)
    if code and not stopping:
        click.echo("heedful: a process stopped unexpectedly; see the messages above", err=True)
        sys.exit(1)
    os._exit(0)
