"""A small progress line on stderr: count, percent, rate and ETA (redrawn in place on a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    def __init__(self, total: int, label: str = "scoring", stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._tty = self.stream.isatty()

    def update(self, done: int, failed: int) -> None:
        now = time.monotonic()
        # Off a terminal (logs, CI) print a line every 5 s instead of redrawing constantly.
        if not self._tty and now - self._last_draw < 5 and done < self.total:
            return
        self._last_draw = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        total = max(self.total, done)
        pct = 100.0 * done / total if total else 100.0
        eta = (total - done) / rate if rate > 0 else float("inf")
        eta_text = "--:--" if eta == float("inf") else f"{int(eta) // 60:d}:{int(eta) % 60:02d}"
        width = 24
        filled = int(width * pct / 100)
        bar = "#" * filled + "-" * (width - filled)
        line = (f"{self.label} [{bar}] {done}/{total} ({pct:.0f}%) failed {failed}  "
                f"{rate:.1f}/s  ETA {eta_text}")
        self.stream.write(("\r" + line) if self._tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
