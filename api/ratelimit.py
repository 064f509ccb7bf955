"""A small in-memory rate limit per client address, for what anyone may do without an account (a public
case start). One per API process: several processes each count their own (see the README's notes)."""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    """At most `limit` hits per `window` seconds per key, over a sliding window. Memory is bounded: at most
    `max_keys` keys with at most `limit` instants each; when full, the key seen least recently is dropped.
    Not thread-safe: call it from the event loop (it never awaits)."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be at least 1, window positive")
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> int:
        """Counts one attempt and returns 0; or, over the limit, counts nothing and returns the whole seconds
        until the next attempt is allowed (the Retry-After)."""
        now = self.clock()
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

    def __len__(self) -> int:
        return len(self._hits)
