"""Submission rate limit that never stores an address.

Each (client, survey) pair has a token bucket held in this process's memory only. The client is named
by an HMAC of its IP address under a random key made when the process starts and never written
anywhere, so the table cannot be turned back into addresses — not even with the app's SECRET_KEY, and
not after a restart. Personal invitation links are single-use anyway; they share the same limit.
Behind a reverse proxy, configure ProxyFix so `remote_addr` is the client, or all clients share a bucket.
The limit is per process: N web workers allow N times the rate, which is fine for stopping floods.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict


class SubmissionLimiter:
    def __init__(self, burst: int, per_minute: float, max_keys: int = 10_000) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.max_keys = max_keys
        self._key = secrets.token_bytes(32)
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _name(self, client: str, scope: str) -> bytes:
        return hmac.new(self._key, f"{scope}\x00{client}".encode(), hashlib.sha256).digest()[:16]

    def allow(self, client: str, scope: str, now: float | None = None, *, per_minute: float | None = None,
              scale: float = 1.0) -> bool:
        """Take one token for this client and scope; False when the bucket is empty.

        `per_minute` replaces this limiter's rate for the scope (a survey's own limit) with a burst of
        twice that; otherwise `scale` multiplies the default burst and rate (a shared shop-floor address)."""
        now = time.monotonic() if now is None else now
        name = self._name(client, scope)
        if per_minute is not None:
            burst, rate = 2.0 * per_minute, per_minute / 60.0
        else:
            burst, rate = self.burst * scale, self.rate * scale
        with self._lock:
            tokens, last = self._buckets.pop(name, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[name] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                # The least recently seen client goes first; a full bucket loses nothing by it.
                self._buckets.popitem(last=False)
            return allowed

    def exhausted(self, client: str, scope: str, now: float | None = None) -> bool:
        """True while this client's bucket is empty; takes nothing (for limiting failed link guesses)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(self._name(client, scope), (self.burst, now))
            return min(self.burst, tokens + (now - last) * self.rate) < 1.0

    def known_names(self) -> list[bytes]:
        """What is held in memory (tests check no address is among it)."""
        with self._lock:
            return list(self._buckets)
