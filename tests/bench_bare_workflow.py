"""The bare engine for `make bench`: a Temporal chain of jathil-vendor's shape and nothing else.

Start, then two updates; each update returns after a local activity wrote one row. Kept in a module of
its own that imports only temporalio, so the sandbox re-imports nothing else per run (what a careful
Temporal user writes; the comparison is with the engine, not with a slow use of it).
"""

from datetime import timedelta

from temporalio import activity, workflow

WRITE_ROW = "bare_write_row"
STEPS = ("verify", "approve")


@workflow.defn(name="bare-chain")
class BareChain:
    def __init__(self) -> None:
        self.decided = 0

    @workflow.run
    async def run(self, case_id: str) -> int:
        await workflow.wait_condition(lambda: self.decided >= len(STEPS) and workflow.all_handlers_finished())
        return self.decided

    @workflow.update(name="decide")
    async def decide(self, step: str) -> int:
        await workflow.execute_local_activity(WRITE_ROW, args=[workflow.info().workflow_id, step],
                                              start_to_close_timeout=timedelta(seconds=30))
        self.decided += 1
        return self.decided


def row_writer(url: str):  # type: ignore[no-untyped-def]
    """The local activity: one INSERT, committed, through the product's engine settings (pool, WAL)."""
    from sqlalchemy import text

    from core.db import engine_for

    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bare_rows (id INTEGER PRIMARY KEY, case_id TEXT, "
                                "step TEXT, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"))

    @activity.defn(name=WRITE_ROW)
    def write_row(case_id: str, step: str) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO bare_rows (case_id, step) VALUES (:c, :s)"), {"c": case_id, "s": step})

    return write_row
