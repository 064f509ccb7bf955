"""Faults survived, nothing lost: helpers for tests that kill, stop and cut off real parts.

The worker and the CLI run as separate OS processes here (what production runs), configured through
ALUR_* variables pointing at the test's Temporal server, task queue, SQLite file and SMTP sink.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.service import RPCError

from core.config import Settings
from core.db import session_scope
from core.models import Case, CaseEvent, Task
from core.temporal import binary, dev_server_flags

ROOT = Path(__file__).resolve().parents[2]


def address_of(client: Client) -> str:
    return client.service_client.config.target_host


def alur_env(settings: Settings, temporal_address: str, **extra: str) -> dict[str, str]:
    """The environment of an `alur` process that shares the test's parts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
    env.update({
        "ALUR_ENV": "test", "ALUR_DATABASE_URL": settings.database_url, "ALUR_TEMPORAL_ADDRESS": temporal_address,
        "ALUR_TASK_QUEUE": settings.task_queue, "ALUR_SMTP_HOST": settings.smtp_host,
        "ALUR_SMTP_PORT": str(settings.smtp_port), "ALUR_BASE_URL": settings.base_url,
        "ALUR_VAR_DIR": str(settings.var_dir), "ALUR_UPLOAD_DIR": str(settings.upload_dir), **extra,
    })
    return env


def start_worker(settings: Settings, temporal_address: str, log: Path) -> subprocess.Popen[bytes]:
    """`python worker.py` in a process group of its own (so a SIGKILL reaches only it)."""
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=alur_env(settings, temporal_address),
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, no goodbye: in-flight activities and workflow tasks are simply abandoned."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            kill(process)


async def alur(settings: Settings, temporal_address: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The `alur` CLI as an operator runs it (in a thread: the test's event loop runs the worker)."""
    return await asyncio.to_thread(subprocess.run, [str(Path(sys.executable).parent / "alur"), *args], cwd=ROOT, capture_output=True,
                             text=True, env=alur_env(settings, temporal_address), timeout=120)


def projection(engine: Engine) -> dict[str, dict]:
    """Every case's row, open tasks and events, as comparable values (row ids and updated_at aside)."""
    found: dict[str, dict] = {}
    with session_scope(engine) as session:
        for case in session.exec(select(Case).order_by(col(Case.id))):
            row = case.model_dump(exclude={"updated_at"})
            tasks = session.exec(select(Task).where(Task.case_id == case.id)).all()
            events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.seq)))
            found[case.id] = {
                "case": row,
                "tasks": sorted((t.model_dump(exclude={"id"}) for t in tasks), key=repr),
                "events": [e.model_dump(exclude={"id"}) for e in events],
            }
    return found


FIGURES: list[str] = []


@pytest.fixture
def figures() -> Callable[[str], None]:
    """What a fault test measured (cases finished, e-mails counted), shown at the end of `make test-faults`."""
    return FIGURES.append


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if FIGURES:
        terminalreporter.section("faults survived")
        for line in FIGURES:
            terminalreporter.write_line(line)


def duplicates(messages: list[dict], key) -> dict:  # type: ignore[no-untyped-def]
    """Keys seen more than once among the sink's messages, with their count."""
    counted = Counter(key(m) for m in messages)
    return {k: n for k, n in counted.items() if n > 1}


class DevServer:
    """A Temporal dev server of the test's own, on a fixed port and a database file: stopped and started
    again, it keeps every workflow, timer and task (what `alur dev` runs, core/devstack.py)."""

    def __init__(self, directory: Path, port: int, *extra_args: str) -> None:
        self.extra_args = extra_args  # e.g. "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60"
        self.db = directory / "temporal.db"
        self.log = directory / "temporal.log"
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [binary("temporal"), "server", "start-dev", "--db-filename", str(self.db), "--port", str(self.port),
                "--ip", "127.0.0.1", "--headless", "--log-level", "warn", *dev_server_flags(), *self.extra_args]

    async def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                client = await asyncio.wait_for(Client.connect(self.address), 5)
                await client.count_workflows()  # answers only once its persistence is up
                return
            except (RuntimeError, TimeoutError, RPCError):
                await asyncio.sleep(0.3)
        raise AssertionError(f"the Temporal dev server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """SIGTERM, as an operator's restart does; the database file stays."""
        if self.process is not None:
            stop(self.process)
            self.process = None
