"""The event-loop guard: inside a request, a database call on the loop's thread is refused."""

import pytest
from anyio import to_thread
from sqlalchemy import text
from sqlalchemy.engine import Engine

from core.db import BlockingDatabaseCall, loop_guard


def one(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("select 1")).scalar_one()


async def test_a_database_call_on_the_event_loop_inside_a_request_is_refused(engine: Engine) -> None:
    token = loop_guard.set("raise")
    try:
        with pytest.raises(BlockingDatabaseCall):
            one(engine)
        assert await to_thread.run_sync(one, engine) == 1  # the same call in a thread is fine
    finally:
        loop_guard.reset(token)
    assert engine.pool.checkedout() == 0  # the refused checkout went back to the pool
    assert one(engine) == 1  # outside a request (tests, the CLI) nothing is guarded


async def test_production_logs_instead_of_failing(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    token = loop_guard.set("log")
    try:
        assert one(engine) == 1
    finally:
        loop_guard.reset(token)
    assert "database call on the event loop" in caplog.text
