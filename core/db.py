"""Engine, sessions and migrations. SQLite by default, PostgreSQL through ALUR_DATABASE_URL."""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Connections are held only for a query's duration (never across an await), so a small pool serves
# many requests; when it is exhausted anyway, a request waits POOL_TIMEOUT seconds and gets a 503.
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_TIMEOUT = 5.0
log = logging.getLogger(__name__)

# Set by the API for each request: what to do when a database connection is taken on the event
# loop's thread, where it would stall every other request while it waits ("raise" outside production).
loop_guard: ContextVar[Literal["raise", "log"] | None] = ContextVar("alur_loop_guard", default=None)


class BlockingDatabaseCall(RuntimeError):
    """A database call ran on the event loop; run it in a thread (anyio.to_thread / run_in_threadpool)."""


def normalize_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache
def engine_for(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **_pool())
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, **_pool())
    event.listen(engine, "checkout", _guard_event_loop)
    return engine


def _pool() -> dict:
    return {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_timeout": POOL_TIMEOUT}


def _guard_event_loop(_connection, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
    mode = loop_guard.get()
    if mode is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # a worker thread: the place for blocking calls
    if mode == "raise":
        raise BlockingDatabaseCall("database call on the event loop inside a request; run it in a thread")
    log.error("database call on the event loop inside a request", stack_info=True)


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the API read while the worker writes; foreign keys are off by default in SQLite.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the process loses nothing
    # and the file never corrupts; a power cut may lose the last commits, which Temporal still holds
    # (alur rebuild-projection) and a case id drawn again is skipped (core.cases.start_case). A commit
    # then no longer waits for fsync (docs/benchmarks.md).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine() -> Engine:
    from core.config import get_settings

    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


def migrate(url: str | None = None) -> None:
    """Apply every Alembic migration (idempotent)."""
    from core.config import get_settings

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url or get_settings().database_url))
    command.upgrade(config, "heads")  # several SOPs may add revisions side by side
