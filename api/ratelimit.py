"""Rate limits counted in the database, so that every API process behind a load balancer counts the same
hits: public case starts per client address, account e-mails per address and per e-mail (api.accounts).
Blocking database calls: call them in a thread (the handlers' thread pool)."""

import math
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import col, delete, func, select

from core.db import session_scope
from core.models_limits import RateHit, RateKey, upsert

SWEEP_EVERY = 600.0  # seconds between two deletions of expired rows by one limiter (per process)


class Sweeping:
    """Deletes its expired rows itself, now and then: at most once every `sweep_every` seconds of its
    clock, after a call. Several processes each sweep; a sweep deletes only what has expired."""

    clock: Callable[[], float]
    sweep_every: float
    _next_sweep: float = -math.inf

    def sweep(self, now: float | None = None) -> int:
        raise NotImplementedError

    def _now_and_then(self, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + self.sweep_every
            self.sweep(now)


class RateLimiter(Sweeping):
    """At most `limit` hits per `window` seconds per key, over a sliding window, counted in the tables
    rate_keys and rate_hits under this limiter's `scope`. A hit first upserts the key's rate_keys row,
    which holds the key's lock until commit (a row lock in PostgreSQL, the write lock in SQLite): concurrent
    hits of one key, in any process, are counted one after the other. Storage: at most `limit` rows per
    key within the window; older ones are deleted by the key's next hit and by `sweep`."""

    def __init__(self, engine: Engine, scope: str, limit: int, window: float,
                 clock: Callable[[], float] = time.time, sweep_every: float = SWEEP_EVERY) -> None:
        if limit < 1 or window <= 0 or not scope:
            raise ValueError("limit must be at least 1, window positive, scope named")
        self.engine, self.scope, self.limit, self.window = engine, scope, limit, window
        self.clock, self.sweep_every = clock, sweep_every

    def hit(self, key: str) -> int:
        """Counts one attempt and returns 0; or, over the limit, counts nothing and returns the whole seconds
        until the next attempt is allowed (the Retry-After)."""
        now = self.clock()
        mine = (col(RateHit.scope) == self.scope, col(RateHit.key) == key)
        with session_scope(self.engine) as session:
            lock = upsert(session, RateKey).values(scope=self.scope, key=key, seen_at=now)
            session.exec(lock.on_conflict_do_update(index_elements=["scope", "key"], set_={"seen_at": now}))
            session.exec(delete(RateHit).where(*mine, col(RateHit.at) <= now - self.window))
            counted, first = session.exec(select(func.count(), func.min(RateHit.at)).where(*mine)).one()
            wait = max(1, math.ceil(first + self.window - now)) if counted >= self.limit else 0
            if not wait:
                session.add(RateHit(scope=self.scope, key=key, at=now))
            session.commit()
        self._now_and_then(now)
        return wait

    def sweep(self, now: float | None = None) -> int:
        """Deletes this limiter's hits and keys that have left the window; returns how many hits."""
        before = (self.clock() if now is None else now) - self.window
        with session_scope(self.engine) as session:
            hits = session.exec(delete(RateHit).where(col(RateHit.scope) == self.scope, col(RateHit.at) <= before))
            session.exec(delete(RateKey).where(col(RateKey.scope) == self.scope, col(RateKey.seen_at) <= before))
            session.commit()
        return hits.rowcount  # type: ignore[attr-defined]
