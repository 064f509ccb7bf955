"""The in-memory rate limit of public starts: a sliding window per address, bounded memory."""

import pytest

from api.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_per_address_with_the_seconds_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=2, window=3600, clock=clock)
    assert limiter.hit("10.0.0.1") == 0
    clock.now += 600
    assert limiter.hit("10.0.0.1") == 0
    assert limiter.hit("10.0.0.1") == 3000  # the first hit leaves the window 3000 s from now
    assert limiter.hit("10.0.0.2") == 0  # another address counts on its own
    clock.now += 2999.5
    assert limiter.hit("10.0.0.1") == 1  # refused hits are not counted: still the first one to wait for
    clock.now += 0.5
    assert limiter.hit("10.0.0.1") == 0
    assert limiter.hit("10.0.0.1") > 0


def test_memory_stays_bounded_dropping_the_address_seen_least_recently() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=1, window=60, max_keys=3, clock=clock)
    for address in ("a", "b", "c"):
        assert limiter.hit(address) == 0
    assert limiter.hit("a") > 0  # "a" is now the most recently seen
    assert limiter.hit("d") == 0
    assert len(limiter) == 3
    assert limiter.hit("a") > 0  # kept
    assert limiter.hit("b") == 0  # dropped, so counted afresh
    for n in range(1000):
        limiter.hit(f"x{n}")
    assert len(limiter) == 3


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit=0, window=60)
