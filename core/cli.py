"""The `alur` command: dev, migrate, worker, api, temporal-setup, rebuild-projection, users add (deactivate,
purge-unverified)."""

import argparse
import asyncio
import getpass
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

from pydantic import ValidationError

from core.config import GRACEFUL_SHUTDOWN, Settings, describe_error, get_settings

log = logging.getLogger("alur")


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        sys.exit(f"alur: {describe_error(error)}")


def cmd_migrate(args: argparse.Namespace) -> None:
    from core.db import migrate

    migrate(load_settings().database_url)
    print("database is up to date")


def cmd_worker(args: argparse.Namespace) -> None:
    from worker import run_worker

    asyncio.run(run_worker(load_settings()))


def cmd_api(args: argparse.Namespace) -> None:
    import uvicorn

    settings = load_settings()
    try:
        settings.refuse_exposed_dev_secret(args.host)
    except ValueError as refused:
        sys.exit(f"alur: invalid configuration: {refused}")
    uvicorn.run("api.main:app", host=args.host, port=args.port, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)


def cmd_temporal_setup(args: argparse.Namespace) -> None:
    from core.temporal import connect, register_search_attributes

    settings = load_settings()

    async def setup() -> list[str]:
        return await register_search_attributes(await connect(settings), settings.temporal_namespace)

    try:
        added = asyncio.run(setup())
    except Exception as error:  # unreachable server, refused request: one line, and exit 1
        sys.exit(f"alur: temporal-setup failed on {settings.temporal_address}: {error}")
    print(f"search attributes added: {', '.join(added)}" if added else "search attributes already registered")


def cmd_rebuild_projection(args: argparse.Namespace) -> None:
    from core.db import get_engine
    from core.rebuild import rebuild_projection
    from core.temporal import connect

    settings = load_settings()

    async def rebuild():  # type: ignore[no-untyped-def]
        return await rebuild_projection(await connect(settings), get_engine(), settings.task_queue)

    try:
        report = asyncio.run(rebuild())
    except Exception as error:  # unreachable server or database: one line, and exit 1
        sys.exit(f"alur: rebuild-projection failed on {settings.temporal_address}: {error}")
    print(f"projection rebuilt from Temporal (queue {settings.task_queue}): {report.line()}")
    for case_id, why in sorted(report.failed.items()):
        print(f"  {case_id}: {why}", file=sys.stderr)
    if report.failed:
        sys.exit(1)


def cmd_users_deactivate(args: argparse.Namespace) -> None:
    from api.accounts import deactivate
    from api.errors import ApiError
    from core.db import get_engine

    load_settings()
    try:
        user = deactivate(get_engine(), args.email)
    except ApiError as error:
        sys.exit(f"alur: {args.email}: {error.detail}")
    print(f"deactivated {user.email}; its sessions have ended")


def cmd_users_purge_unverified(args: argparse.Namespace) -> None:
    from core.db import get_engine
    from core.users import purge_unverified

    settings = load_settings()
    removed = purge_unverified(get_engine(), settings.unverified_ttl_days)
    print(f"removed {len(removed)} account(s) not verified within {settings.unverified_ttl_days} days")


def cmd_users_add(args: argparse.Namespace) -> None:
    from core.db import get_engine, session_scope
    from core.models_eorder import staff_skpd
    from core.roles import check_role_agency
    from core.users import create_user

    load_settings()
    engine = get_engine()
    try:
        check_role_agency(args.role, args.agency)
        with session_scope(engine) as session:
            unit = staff_skpd(session, args.role, args.agency, args.skpd)
    except ValueError as error:  # before the password prompt: nothing to type twice
        sys.exit(f"alur: {error}")
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        user = create_user(engine, email=args.email, name=args.name, role=args.role, agency=args.agency,
                           password=password, phone=args.phone, unit=unit)
    except ValueError as error:
        sys.exit(f"alur: {error}")
    where = ", ".join(filter(None, (user.agency, f"SKPD {user.unit}" if user.unit else None)))
    print(f"user {user.id} created: {user.email} ({user.role}{', ' + where if where else ''})")


def cmd_closed_day(args: argparse.Namespace) -> None:
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    from core.db import get_engine, session_scope
    from core.models import AgencyClosedDay
    from core.roles import AGENCIES

    if args.agency not in AGENCIES:
        sys.exit(f"alur: unknown agency {args.agency!r}; one of: {', '.join(AGENCIES)}")
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        sys.exit(f"alur: bad date {args.date!r}: use YYYY-MM-DD")
    with session_scope(get_engine()) as session:
        session.add(AgencyClosedDay(agency=args.agency, day=day, note=args.note))
        try:
            session.commit()
        except IntegrityError:
            sys.exit(f"alur: {args.agency} is already closed on {day}")
    print(f"{args.agency} closed on {day}: deadlines computed from now on skip it")


def cmd_skpd_add(args: argparse.Namespace) -> None:
    from core.db import get_engine
    from core.models_eorder import add_skpd

    load_settings()
    try:
        skpd = add_skpd(get_engine(), code=args.code, name=args.name, agency=args.agency)
    except ValueError as error:
        sys.exit(f"alur: {error}")
    print(f"SKPD {skpd.code} added: {skpd.name} ({skpd.agency})")


def cmd_dev(args: argparse.Namespace) -> None:
    from core.devstack import run_dev

    asyncio.run(run_dev(load_settings(), api_port=args.port))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="alur", description="Alur: SOP layanan UMKM di atas Temporal")
    sub = root.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="everything on one machine (Temporal dev server, worker, API, mail sink)")
    dev.add_argument("--port", type=int, default=8000)
    dev.set_defaults(func=cmd_dev)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("worker", help="run the Temporal worker").set_defaults(func=cmd_worker)
    api = sub.add_parser("api", help="run the API and web pages")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(func=cmd_api)
    sub.add_parser("temporal-setup", help="register the search attributes").set_defaults(func=cmd_temporal_setup)
    sub.add_parser("rebuild-projection", help="rebuild cases, tasks and case events from Temporal (a worker must run)"
                   ).set_defaults(func=cmd_rebuild_projection)
    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create a user; password on stdin")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--agency")
    add.add_argument("--phone")
    add.add_argument("--skpd", help="e-order: the SKPD a satpel or pjlp belongs to (required for them)")
    add.set_defaults(func=cmd_users_add)
    deactivate = users.add_parser("deactivate", help="the account can no longer log in; its sessions end at once")
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(func=cmd_users_deactivate)
    users.add_parser("purge-unverified", help="remove accounts not verified within ALUR_UNVERIFIED_TTL_DAYS "
                     "(kept if they have cases); run it daily").set_defaults(func=cmd_users_purge_unverified)
    skpd = sub.add_parser("skpd", help="e-order SKPD Pembina list").add_subparsers(dest="skpd_command", required=True)
    skpd_add = skpd.add_parser("add", help="add an SKPD a UMKM may choose as its Pembina")
    skpd_add.add_argument("code")
    skpd_add.add_argument("name")
    skpd_add.add_argument("--agency", required=True)
    skpd_add.set_defaults(func=cmd_skpd_add)
    closed = sub.add_parser("closed-day", help="an extra day an agency is closed (beyond national holidays)")
    closed.add_argument("--agency", required=True)
    closed.add_argument("--date", required=True, help="YYYY-MM-DD")
    closed.add_argument("--note", default="")
    closed.set_defaults(func=cmd_closed_day)
    return root


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    load_settings()  # a bad setting stops every command before it does anything
    run_and_exit(args.func, args)


def run_and_exit(command: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> NoReturn:
    """Runs the command, then ends the process at once with the command's own exit status.

    The Temporal SDK's Rust core keeps threads of its own (Tokio) for every client. One of them may still
    hand a Python object back while the interpreter finalises at exit, and CPython then aborts with
    "Fatal Python error: PyGILState_Release" (exit 134) although the command did its work (seen with
    `temporal-setup`; temporalio/sdk-python#300, still open; the SDK offers no way to stop its runtime).
    So once the command has finished, its output is flushed and the process ends with os._exit, before
    finalisation: 0 when it succeeded, its sys.exit status (message on stderr) or 1 with the traceback
    when it failed, 130 when interrupted. Every command does this, so a new one that opens a client is
    covered too; none relies on atexit (the dev stack, the worker and the API clean up before returning).
    """
    try:
        command(args)
        status = 0
    except SystemExit as stop:
        status = exit_status(stop)
    except KeyboardInterrupt:
        status = 130
    except BaseException:
        traceback.print_exc()
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(status)


def exit_status(stop: SystemExit) -> int:
    """What the interpreter would make of sys.exit(code): a message goes to stderr and means 1."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
