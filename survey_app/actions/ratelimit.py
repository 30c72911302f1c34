"""A small in-process sliding-window limiter for the public receipt lookup (guessing codes).

Per web process: with N processes the effective limit is N × LIMIT, still far too slow to enumerate
codes. Behind a reverse proxy, configure ProxyFix so remote_addr is the client, not the proxy.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import current_app

LIMIT = 10
WINDOW_SECONDS = 600.0


class RateLimiter:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW_SECONDS) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one attempt for `key`; False when it is over the limit in the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True


def receipt_limiter() -> RateLimiter:
    limiter: RateLimiter = current_app.extensions.setdefault(
        "heedful.receipt_limiter",
        RateLimiter(current_app.config.get("RECEIPT_RATE_LIMIT", LIMIT), WINDOW_SECONDS),
    )
    return limiter
