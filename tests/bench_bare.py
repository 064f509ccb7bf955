"""The bare side of `make bench`, each part an OS process like the product's `alur worker` / `alur api`.

    python -m tests.bench_bare worker ADDRESS QUEUE DATABASE_URL   the bare chain's worker (bench_bare_workflow)
    python -m tests.bench_bare api PORT DATABASE_URL               a bare FastAPI route reading one case row
    python -m tests.bench_bare sink PORT MAILBOX                   the SMTP sink the product's notices go to
"""

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def run_worker(address: str, queue: str, url: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    from tests.bench_bare_workflow import BareChain, row_writer

    async def main() -> None:
        client = await Client.connect(address)
        # The SDK's defaults (sandboxed workflows), and the same activity thread pool as worker.py.
        await Worker(client, task_queue=queue, workflows=[BareChain], activities=[row_writer(url)],
                     activity_executor=ThreadPoolExecutor(8)).run()

    asyncio.run(main())


def bare_app(url: str):  # type: ignore[no-untyped-def]
    """One route, one row: the floor under GET /api/v1/cases/{id} (same engine settings, same row)."""
    from fastapi import FastAPI, HTTPException
    from sqlmodel import select

    from core.db import engine_for
    from core.models import Case

    engine = engine_for(url)
    table = Case.__table__  # type: ignore[attr-defined]
    app = FastAPI()

    @app.get("/bare/cases/{case_id}")
    def read_case(case_id: str) -> dict:
        with engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.id == case_id)).mappings().first()
        if row is None:
            raise HTTPException(404)
        return dict(row)

    return app


def run_api(port: int, url: str) -> None:
    import uvicorn

    # Served as `alur api` serves the product (core/cli.py cmd_api): uvicorn.run with its defaults.
    uvicorn.run(bare_app(url), host="127.0.0.1", port=port)


def run_sink(port: int, mailbox: str) -> None:
    from pathlib import Path

    from activities.mailsink import MailSink

    sink = MailSink(path=Path(mailbox), port=port)
    sink.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        sink.stop()


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "worker":
        run_worker(args[0], args[1], args[2])
    elif kind == "api":
        run_api(int(args[0]), args[1])
    elif kind == "sink":
        run_sink(int(args[0]), args[1])
    else:
        sys.exit(f"unknown part {kind!r}")
