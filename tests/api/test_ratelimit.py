"""The rate limit of public starts and account e-mails: a sliding window per key, counted in the database,
its expired rows deleted."""

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.ratelimit import RateLimiter
from core.models_limits import RateHit, RateKey


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rows(engine: Engine, model: type[RateHit] | type[RateKey]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_sliding_window_per_address_with_the_seconds_to_wait(engine: Engine) -> None:
    clock = Clock()
    limiter = RateLimiter(engine, "test", limit=2, window=3600, clock=clock)
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


def test_limiters_count_apart_by_scope(engine: Engine) -> None:
    clock = Clock()
    starts, mails = (RateLimiter(engine, scope, limit=1, window=60, clock=clock) for scope in ("starts", "mails"))
    assert starts.hit("10.0.0.1") == 0 and starts.hit("10.0.0.1") == 60
    assert mails.hit("10.0.0.1") == 0


def test_expired_rows_are_deleted_now_and_then(engine: Engine) -> None:
    clock = Clock()
    limiter = RateLimiter(engine, "test", limit=3, window=60, clock=clock, sweep_every=600)
    for n in range(100):
        limiter.hit(f"10.0.0.{n % 10}")
    assert rows(engine, RateHit) == 30 and rows(engine, RateKey) == 10  # refused hits add nothing
    clock.now += 599
    limiter.hit("10.0.1.1")  # the last sweep was 599 s ago: nothing deleted yet but the key's own
    assert rows(engine, RateHit) == 31
    clock.now += 1
    limiter.hit("10.0.1.2")
    assert rows(engine, RateHit) == 2 and rows(engine, RateKey) == 2  # only what is still in its window


def test_nonsense_limits_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError):
        RateLimiter(engine, "test", limit=0, window=60)
