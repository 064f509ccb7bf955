"""A small in-memory rate limit per client address, for what anyone may do without an account (a public
case start). One per API process: several processes each count their own (see the README's notes)."""

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    """At most `limit` hits per `window` seconds per key, over a sliding window. Memory is bounded: at most
    `max_keys` keys with at most `limit` instants each; when full, the key seen least recently is dropped.
    Safe across threads (it never blocks for long: a lock around a few dict operations)."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be at least 1, window positive")
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Counts one attempt and returns 0; or, over the limit, counts nothing and returns the whole seconds
        until the next attempt is allowed (the Retry-After)."""
        with self._lock:
            return self._hit(key, self.clock())

    def _hit(self, key: str, now: float) -> int:
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        self._hits[key] = hits  # the most recently seen last
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window - now))
        hits.append(now)
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return 0

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def __len__(self) -> int:
        return len(self._hits)
