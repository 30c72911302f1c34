"""Load a model once per process, on first use, under a lock.

Every NLP model loads lazily (start-up stays fast when a command never needs it) and exactly once,
even when several threads of a web or job process ask at the same time. `LoadOnce` is that rule in
one place; a model class keeps its loaded state in one frozen object and asks `get()` for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoadOnce(Generic[T]):
    """Call `load` on the first `get()` and return its result from then on.

    Threads that arrive while a load runs wait for it instead of loading a second copy. A load that
    raises keeps nothing, so the next `get()` tries again (and raises the same clear error).
    """

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._value: T | None = None
        self._lock = threading.Lock()

    @classmethod
    def loaded(cls, value: T) -> LoadOnce[T]:
        """One that is already loaded (weights built elsewhere, or injected by a test)."""
        once = cls(lambda: value)
        once._value = value
        return once

    @property
    def is_loaded(self) -> bool:
        return self._value is not None

    def get(self) -> T:
        value = self._value
        if value is not None:  # the common case after start-up: no lock to take
            return value
        with self._lock:
            if self._value is None:
                self._value = self._load()
            return self._value
