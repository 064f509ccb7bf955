"""`alur dev`: the whole stack in one process for development.

The Temporal dev server (a subprocess, state in var/temporal.db), migrations, a mail sink,
demo users on first start, and the worker and the API in one event loop. Dev only.
"""

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.service import RPCError

from activities.mailsink import MailSink
from core.config import GRACEFUL_SHUTDOWN, Settings
from core.db import engine_for, migrate, session_scope
from core.models import User
from core.models_eorder import SKPD_ROLES
from core.roles import ROLE_TITLES
from core.temporal import binary, connect, dev_server_flags, register_search_attributes
from core.users import create_user
from worker import build_worker
from workflows.digest import ensure_digest_schedules

log = logging.getLogger("alur.dev")

STARTUP_TIMEOUT = 60.0  # a cold dev server creates its SQLite schema first: a few seconds, more on slow disks
STOP_TIMEOUT = 15.0
DEMO_PASSWORD = "alur-demo-123"
# Staff for every step of the SOPs built so far, plus one applicant. `.example` is reserved (RFC 2606)
# and passes e-mail validation; `.test` does not.
DEMO_STAFF = {
    "ponorogo": ("admin_bidang", "admin_utama", "kepala_dinas"),
    "dki": ("satpel", "pjlp", "admin_eorder"),
    "jatim": ("staf_galeri", "kurator", "kepala_bidang"),
    "jombang": ("pengelola_pengaduan", "kepala_bidang", "kepala_dinas"),  # service-complaint
}
DEMO_DOMAIN = "alur.example"
DEMO_SKPD = "141732"  # the demo Satpel and PJLP belong to the seed's SKPD Pembina (0002_eorder)
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class DevStackError(RuntimeError):
    pass


def mailbox_path(settings: Settings) -> Path:
    """Where the dev mail sink appends messages; /dev/mail reads the same file."""
    return settings.var_dir / "mail" / "mailbox.jsonl"


async def run_dev(settings: Settings, api_port: int = 8000) -> None:
    stopper = _Stopper(asyncio.current_task())
    try:
        with _signals(stopper):
            await _run(settings, api_port, stopper)
    except asyncio.CancelledError:
        if not stopper.requested:
            raise
    except DevStackError as error:
        raise SystemExit(f"alur dev: {error}") from None  # one clear line, like the rest of the CLI
    log.info("stopped")


async def _run(settings: Settings, api_port: int, stopper: "_Stopper") -> None:
    if _port_open("127.0.0.1", api_port):
        raise DevStackError(f"port {api_port} is in use; stop that process or use `alur dev --port P`")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    server = _api_server(api_port)  # imports the app first: a broken app fails before anything starts
    async with AsyncExitStack() as stack:
        client = await start_temporal(settings, stack)
        engine = engine_for(settings.database_url)
        await asyncio.to_thread(migrate, settings.database_url)
        start_mail_sink(settings, stack)
        if demo_allowed(settings):
            await asyncio.to_thread(seed_demo_users, engine)
        await serve(client, settings, engine, server, stopper, api_port)


# ---- Temporal ------------------------------------------------------------------------------


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "localhost", int(port)


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


async def _try_connect(settings: Settings) -> Client | None:
    try:
        return await asyncio.wait_for(connect(settings), timeout=5)
    except (RuntimeError, TimeoutError):  # refused, or not (yet) a Temporal server
        return None


async def start_temporal(settings: Settings, stack: AsyncExitStack) -> Client:
    """Reuses a Temporal server already on the address, else starts the dev server; registers search attributes."""
    host, port = _host_port(settings.temporal_address)
    if _port_open(host, port):
        client = await _try_connect(settings)
        if client is None:
            raise DevStackError(f"port {port} is in use but no Temporal server answers there; stop that process")
        log.info("reusing the Temporal server already running at %s", settings.temporal_address)
    else:
        process = _spawn_temporal(settings, port)
        stack.push_async_callback(_stop_process, process)
        client = await _wait_for_temporal(settings, process)
    # The dev server's flags register them too; this also covers a reused server (idempotent).
    try:
        added = await register_search_attributes(client, settings.temporal_namespace)
    except RPCError as error:  # e.g. a reused server without our namespace
        raise DevStackError(f"Temporal at {settings.temporal_address}: {error}") from None
    if added:
        log.info("search attributes registered: %s", ", ".join(added))
    return client


def temporal_command(settings: Settings, port: int) -> list[str]:
    command = [
        binary("temporal"), "server", "start-dev",
        "--db-filename", str(settings.var_dir / "temporal.db"),  # cases survive a restart
        "--port", str(port), "--ui-port", str(port + 1000), "--ip", "127.0.0.1",
        "--log-level", "warn", *dev_server_flags(),
    ]
    if settings.temporal_namespace != "default":  # "default" always exists
        command += ["--namespace", settings.temporal_namespace]
    return command


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook: if `alur dev` is killed outright (SIGKILL), the kernel stops the server too,
    so no orphan keeps port 7233 and the database file."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the forked child only makes the call
    return lambda: prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG


def _spawn_temporal(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    log_path = settings.var_dir / "temporal.log"
    log.info("starting the Temporal dev server on 127.0.0.1:%d (log: %s)", port, log_path)
    with log_path.open("ab") as output:
        return subprocess.Popen(
            temporal_command(settings, port), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C in the terminal reaches only us, and we stop it last, after
            # the worker has let go of it.
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )


async def _wait_for_temporal(settings: Settings, process: subprocess.Popen[bytes]) -> Client:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        if process.poll() is not None:
            raise DevStackError(f"the Temporal dev server exited with {process.returncode}; "
                                f"see {settings.var_dir / 'temporal.log'}")
        client = await _try_connect(settings)
        if client is not None:
            return client
        await asyncio.sleep(0.5)
    raise DevStackError(f"the Temporal dev server did not answer within {STARTUP_TIMEOUT:.0f} s; "
                        f"see {settings.var_dir / 'temporal.log'}")


async def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM: the dev server closes its database cleanly
    try:
        await asyncio.to_thread(process.wait, STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.warning("the Temporal dev server did not stop within %.0f s; killing it", STOP_TIMEOUT)
        process.kill()
        await asyncio.to_thread(process.wait)
    log.info("Temporal dev server stopped")


# ---- mail and demo users -------------------------------------------------------------------


def start_mail_sink(settings: Settings, stack: AsyncExitStack) -> None:
    if _port_open("127.0.0.1", settings.smtp_port):
        # e.g. a mailpit already running: mail goes there, and /dev/mail stays empty.
        log.warning("SMTP port %d is already served; not starting the mail sink", settings.smtp_port)
        return
    # aiosmtpd logs every SMTP conversation at INFO; the messages themselves are on /dev/mail.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = MailSink(path=mailbox_path(settings), port=settings.smtp_port)
    sink.start()
    stack.callback(sink.stop)


def demo_email(role: str, agency: str | None) -> str:
    return f"{role}@{agency}.{DEMO_DOMAIN}" if agency else f"{role}@{DEMO_DOMAIN}"


def demo_allowed(settings: Settings) -> bool:
    """Demo accounts (a known password) only on a development machine's own default database."""
    return settings.env == "development" and settings.database_url == Settings.model_fields["database_url"].default


def seed_demo_users(engine: Engine) -> list[User]:
    """One user per staff role the SOPs need and a verified UMKM, only into an empty user table."""
    with session_scope(engine) as session:
        if session.exec(select(User.id).limit(1)).first() is not None:
            return []
    people = [(role, agency) for agency, roles in DEMO_STAFF.items() for role in roles] + [("umkm", None)]
    users = [
        create_user(engine, email=demo_email(role, agency), name=f"{ROLE_TITLES[role]} (demo)", role=role,
                    agency=agency, password=DEMO_PASSWORD, verified=True,
                    unit=DEMO_SKPD if role in SKPD_ROLES else None)
        for role, agency in people
    ]
    log.info("%s", _users_table(users))
    return users


def _users_table(users: list[User]) -> str:
    width = max(len(u.email) for u in users)
    rows = [f"  {u.email:<{width}}  {u.role:<14} {u.agency or '-'}" for u in users]
    return "\n".join([
        f"demo users created (password {DEMO_PASSWORD!r}, development only):",
        f"  {'e-mail':<{width}}  {'role':<14} agency", *rows,
        "more: alur users add --email E --name N --role R --agency A (password on stdin)",
    ])


# ---- worker and API ------------------------------------------------------------------------


class _ApiServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # run_dev owns SIGINT/SIGTERM. uvicorn would re-raise them after its own shutdown,
        # ending the process before the worker and the Temporal server are stopped.
        yield


def _api_server(port: int) -> uvicorn.Server:
    config = uvicorn.Config("api.main:app", host="127.0.0.1", port=port, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)
    config.load()
    return _ApiServer(config)


class _Stopper:
    """First signal: a graceful stop. A second one, or one during start-up: stop waiting and clean up."""

    def __init__(self, task: asyncio.Task | None) -> None:
        self.task = task
        self.server: uvicorn.Server | None = None
        self.requested = False

    def __call__(self) -> None:
        first = not self.requested
        self.requested = True
        if first and self.server is not None:
            log.info("stopping: API, worker, mail sink, Temporal")
            self.server.should_exit = True
        elif self.task is not None:
            self.task.cancel()


@contextlib.contextmanager
def _signals(stopper: _Stopper) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig in HANDLED_SIGNALS:
        loop.add_signal_handler(sig, stopper)
    try:
        yield
    finally:
        for sig in HANDLED_SIGNALS:
            loop.remove_signal_handler(sig)


async def serve(
    client: Client, settings: Settings, engine: Engine, server: uvicorn.Server, stopper: _Stopper, api_port: int
) -> None:
    """Runs the worker and the API until a signal or until either ends; then stops both."""
    await ensure_digest_schedules(client, settings)  # as `alur worker` does at start-up
    worker = build_worker(client, settings, engine)
    stopper.server = server
    api_task = asyncio.create_task(server.serve(), name="API")
    worker_task = asyncio.create_task(worker.run(), name="worker")
    ui_port = _host_port(settings.temporal_address)[1] + 1000
    log.info("\n\n  Alur: http://localhost:%d  Temporal UI: http://localhost:%d  Mail: http://localhost:%d/dev/mail\n",
             api_port, ui_port, api_port)
    try:
        done, _ = await asyncio.wait({api_task, worker_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        if not worker_task.done():
            await worker.shutdown()
        await asyncio.gather(api_task, worker_task, return_exceptions=True)
    if not stopper.requested:  # nobody asked to stop: one of them failed, and says why in the log
        ended = done.pop()
        cause = None if ended.cancelled() else ended.exception()
        raise DevStackError(f"the {ended.get_name()} stopped unexpectedly{f': {cause}' if cause else ''}")
