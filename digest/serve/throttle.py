"""Sliding-window rate limits and log-in delays kept in memory, one instance per app (waitress
threads share it).

Per process: with several `digest serve` processes each counts on its own,
which still bounds a form spammer; the per-address limit that matters (one
confirmation email) lives in the database.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class Throttle:
    def __init__(self, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one try for ``key``; False when it already had ``limit`` tries in the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) >= self.max_keys:
                self._forget_old(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def recent(self, key: str, now: float) -> list[float]:
        """The times of ``key``'s tries still inside the window, oldest first."""
        with self._lock:
            return [t for t in self._hits.get(key, ()) if t > now - self.window]

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:  # a flood of distinct keys: start over rather than grow
            self._hits.clear()


class FailureDelays:
    """Growing waits after wrong passwords, counted per key (the account, a client's address).

    Only failures count, and only for ``window`` seconds: a right password adds nothing, so no
    number of log-ins ever slows anyone. After ``free`` failures under a key, the next attempt
    under it waits ``first`` seconds, then twice as long after each further failure, at most
    ``cap``: an attempt is held, never refused, so the right password always gets in (at worst
    ``cap`` seconds late) while a guesser gets a few tries a minute.
    """

    def __init__(
        self,
        free: int = 3,
        first: float = 1.0,
        cap: float = 16.0,
        window: float = 900,
        max_keys: int = 100_000,
    ) -> None:
        self.free, self.first, self.cap = free, first, cap
        self._failures = Throttle(limit=max_keys, window=window, max_keys=max_keys)

    def wait(self, keys: list[str], now: float | None = None) -> float:
        """Seconds an attempt under ``keys`` must wait before its password is checked."""
        now = time.monotonic() if now is None else now
        return max((self._wait_one(key, now) for key in keys), default=0.0)

    def _wait_one(self, key: str, now: float) -> float:
        times = self._failures.recent(key, now)
        if len(times) < self.free:
            return 0.0
        delay = min(self.cap, self.first * 2 ** (len(times) - self.free))
        return max(0.0, times[-1] + delay - now)

    def failed(self, keys: list[str], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in keys:
            self._failures.allow(key, now)

    def forget(self, key: str) -> None:
        self._failures.clear(key)
