"""Real parts for every test: Temporal servers, an SMTP server the tests read, database files."""

import fcntl
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.config import Settings
from core.db import engine_for, migrate, normalize_url
from core.temporal import binary, dev_server_flags, register_search_attributes

PG_URL = os.environ.get("ALUR_TEST_DATABASE_URL")
pytest_plugins = ["tests.utils.gateway"]  # the `gateway` fixture: a local WhatsApp gateway


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_postgres(url: str) -> None:
    with engine_for(url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine_for(url).dispose()


@contextmanager
def postgres_to_myself() -> Iterator[None]:
    """The PostgreSQL runs share one database, whose schema each drops and creates: under xdist (`make test`
    runs two processes) they take turns, holding this lock for the whole test."""
    with open(Path(tempfile.gettempdir()) / "alur-test-postgresql.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, and PostgreSQL when ALUR_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    if not PG_URL:
        pytest.skip("ALUR_TEST_DATABASE_URL not set")
    with postgres_to_myself():
        _reset_postgres(PG_URL)
        url = normalize_url(PG_URL)
        migrate(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    migrate(url)
    return url


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    return engine_for(sqlite_url)


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailSink]:
    sink = MailSink(port=free_port(), path=tmp_path_factory.mktemp("mail") / "mailbox.jsonl")
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def settings(sqlite_url: str, mail_sink: MailSink, tmp_path: Path) -> Settings:
    return Settings(
        env="test", database_url=sqlite_url, smtp_host="127.0.0.1", smtp_port=mail_sink.port,
        task_queue=f"alur-test-{uuid.uuid4().hex[:8]}", base_url="http://alur.test",
        upload_dir=tmp_path / "uploads", var_dir=tmp_path,
    )


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's time-skipping test server, one per test: its clock only moves forward."""
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=binary("temporal-test-server"))
    await register_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (real time), for updates and the HTTP tests."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"), dev_server_extra_args=dev_server_flags(), ui=False
    )
    yield env
    await env.shutdown()
