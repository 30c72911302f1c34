"""Shared pieces for tests that drive a real browser against a real server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import waitress
from flask import Flask
from sqlalchemy import Engine

import models
from models.db import make_engine

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

# Debian's chromium, headless, with the background networking that this closed network refuses turned off.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Flask, threads: int = 4) -> Iterator[str]:
    """Serve `app` with waitress on a free loopback port; yield its base URL."""
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.close()


def file_database(folder: Path, name: str) -> tuple[str, Engine]:
    """A SQLite file database with the current schema, for a real server to share with the test."""
    url = f"sqlite:///{folder / name}"
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    return url, engine


def chromium() -> Iterator[Any]:
    """A headless Chromium browser for a module-scoped fixture; skips with a reason when unavailable."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot to artifacts/screenshots/<name>.png (kept by CI as an artefact)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
