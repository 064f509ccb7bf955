"""Login backoff: after a few failures in a row, an account (or a client address) must wait before the
next try, twice as long each time. Per API process, bounded in memory, safe across threads (logins are
checked in the thread pool)."""

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

FREE_FAILURES = 5  # tries before any wait
FIRST_WAIT = 2.0  # seconds after the sixth failure; doubling
LONGEST_WAIT = 15 * 60.0


class LoginThrottle:
    def __init__(self, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys, self.clock = max_keys, clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (in a row, last at)
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> int:
        """Whole seconds until any of these keys may try again; 0: now."""
        now = self.clock()
        with self._lock:
            return max((self._remaining(key, now) for key in keys), default=0)

    def _remaining(self, key: str, now: float) -> int:
        count, last = self._failures.get(key, (0, 0.0))
        if count < FREE_FAILURES:
            return 0
        pause = min(FIRST_WAIT * 2 ** (count - FREE_FAILURES), LONGEST_WAIT)
        return max(0, math.ceil(last + pause - now))

    def failed(self, *keys: str) -> int:
        """Counts a failure for each key; returns the longest run of failures among them."""
        now = self.clock()
        with self._lock:
            for key in keys:
                count = self._failures.pop(key, (0, 0.0))[0] + 1
                self._failures[key] = (count, now)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
            return max(self._failures[key][0] for key in keys)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
