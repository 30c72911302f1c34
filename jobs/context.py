"""Everything a job run needs, built once per process: settings, sessions, the (lazily loaded) models."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jobs.analyzer import TextAnalyzer, load_analyzer
from models.base import utcnow
from models.db import make_engine, make_session_factory
from models.settings import Settings

if TYPE_CHECKING:
    from nlp.types import Theme

ThemeFinder = Callable[[list[str]], "list[Theme]"]


def worker_id() -> str:
    """host:pid:random — the pid lets a scorer on the same host release claims of a dead process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class JobContext:
    settings: Settings
    sessions: sessionmaker[Session]
    analyzer_factory: Callable[[Settings], TextAnalyzer] = load_analyzer
    theme_finder_factory: Callable[[Settings], ThemeFinder] | None = None
    now: Callable[[], datetime] = utcnow
    worker: str = field(default_factory=worker_id)
    # Set by SIGTERM/SIGINT: long jobs stop between batches (each batch is a committed checkpoint).
    stop: threading.Event = field(default_factory=threading.Event)
    _analyzer: TextAnalyzer | None = None
    _themes: ThemeFinder | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None, **kw: object) -> JobContext:
        eng = engine or make_engine(settings.database_url)
        return cls(settings=settings, sessions=make_session_factory(eng), **kw)  # type: ignore[arg-type]

    def analyzer(self) -> TextAnalyzer:
        """The analyzer, loaded on first use and then shared by every job in this process."""
        with self._lock:
            if self._analyzer is None:
                self._analyzer = self.analyzer_factory(self.settings)
            return self._analyzer

    def theme_finder(self) -> ThemeFinder:
        with self._lock:
            if self._themes is None:
                factory = self.theme_finder_factory or load_theme_finder
                self._themes = factory(self.settings)
            return self._themes


def load_theme_finder(settings: Settings) -> ThemeFinder:
    """nlp.inference.themes.discover_themes bound to the configured encoder (loaded once)."""
    from nlp.encoder import Encoder, EncoderConfig
    from nlp.inference.themes import discover_themes
    from nlp.settings import NLPSettings

    nlp_settings = NLPSettings.from_env(settings.nlp_env)
    encoder = Encoder(
        EncoderConfig(model=nlp_settings.encoder, batch_size=nlp_settings.batch_size, threads=nlp_settings.threads)
    ).load()

    def find(texts: list[str]) -> list[Theme]:
        result: list[Theme] = discover_themes(texts, encoder, seed=0, min_size=5)
        return result

    return find
