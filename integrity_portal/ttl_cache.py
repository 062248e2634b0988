"""A small per-process cache with expiry, for configuration rows read on hot paths."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class TTLCache:
    """``get_or_load(key, load)`` returns a value loaded at most ``seconds`` ago.

    Per process and thread-safe; ``clear()`` is called by signal receivers when the rows
    behind it change, so an edit is seen at once in the process that made it.
    """

    def __init__(self, *, seconds: float):
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = load()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self, *args, **kwargs) -> None:
        with self._lock:
            self._values.clear()
