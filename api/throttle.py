"""Login backoff: after a few failures in a row, an account (or a client address) must wait before the
next try, twice as long each time. Counted in the database (table login_failures), so that every API
process sees the same failures; blocking calls, made in the thread pool like the login itself."""

import math
import time
from collections.abc import Callable

from sqlalchemy import case
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from api.ratelimit import SWEEP_EVERY, Sweeping
from core.db import session_scope
from core.models_limits import LoginFailures, upsert

FREE_FAILURES = 5  # tries before any wait
FIRST_WAIT = 2.0  # seconds after the sixth failure; doubling
LONGEST_WAIT = 15 * 60.0
FORGET_AFTER = 24 * 3600.0  # a key without a failure for a day starts again from none


class LoginThrottle(Sweeping):
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 sweep_every: float = SWEEP_EVERY) -> None:
        self.engine, self.clock, self.sweep_every = engine, clock, sweep_every

    def wait(self, *keys: str) -> int:
        """Whole seconds until any of these keys may try again; 0: now."""
        now = self.clock()
        with session_scope(self.engine) as session:
            rows = session.exec(select(LoginFailures).where(col(LoginFailures.key).in_(keys))).all()
        return max((self._remaining(row, now) for row in rows), default=0)

    @staticmethod
    def _remaining(row: LoginFailures, now: float) -> int:
        if row.failures < FREE_FAILURES:
            return 0
        pause = min(FIRST_WAIT * 2 ** (row.failures - FREE_FAILURES), LONGEST_WAIT)
        return max(0, math.ceil(row.last_at + pause - now))

    def failed(self, *keys: str) -> int:
        """Counts a failure for each key (one atomic upsert each); returns the longest run of failures
        among them."""
        now = self.clock()
        again = case((col(LoginFailures.last_at) <= now - FORGET_AFTER, 1), else_=col(LoginFailures.failures) + 1)
        runs = []
        with session_scope(self.engine) as session:
            for key in sorted(set(keys)):  # one order in every process: no deadlock between two logins
                count = (upsert(session, LoginFailures).values(key=key, failures=1, last_at=now)
                         .on_conflict_do_update(index_elements=["key"], set_={"failures": again, "last_at": now})
                         .returning(col(LoginFailures.failures)))
                runs.append(session.exec(count).scalar_one())
            session.commit()
        self._now_and_then(now)
        return max(runs)

    def succeeded(self, key: str) -> None:
        with session_scope(self.engine) as session:
            session.exec(delete(LoginFailures).where(col(LoginFailures.key) == key))
            session.commit()

    def sweep(self, now: float | None = None) -> int:
        """Deletes the keys without a failure for FORGET_AFTER; returns how many."""
        before = (self.clock() if now is None else now) - FORGET_AFTER
        with session_scope(self.engine) as session:
            gone = session.exec(delete(LoginFailures).where(col(LoginFailures.last_at) <= before))
            session.commit()
        return gone.rowcount  # type: ignore[attr-defined]
