"""LoadOnce: one load per process however many threads ask; a failed load is tried again."""

from __future__ import annotations

import threading
import time

import pytest

from nlp.loading import LoadOnce


def test_threads_arriving_together_share_one_load() -> None:
    calls: list[int] = []

    def slow_load() -> str:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while the first one loads
        return "model"

    once = LoadOnce(slow_load)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(once.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["model"] * 8 and len(calls) == 1 and once.is_loaded


def test_a_failed_load_keeps_nothing_and_is_tried_again() -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("weights missing")
        return "model"

    once = LoadOnce(flaky)
    with pytest.raises(RuntimeError, match="weights missing"):
        once.get()
    assert not once.is_loaded
    assert once.get() == "model" and once.get() == "model" and len(attempts) == 2


def test_loaded_never_calls_a_loader() -> None:
    once = LoadOnce.loaded("built elsewhere")
    assert once.is_loaded and once.get() == "built elsewhere"
