"""One start at a time per account and SOP, across every API process: a double-clicked "Kirim" must not
slip two cases past an intake that allows one (eorder-vendor: one registration per account, checked by
its `prepare` against the cases table). The rule itself cannot be a constraint on `cases`: that row is
written by the workflow's first projection, after the workflow has started. So the start is claimed
instead, with a conditional insert into start_claims (the key: SOP and account); a second start waits
until the first has ended (its case row then exists, and the intake's own check answers) and takes the
claim then. A claim left behind by a process that died goes stale after `stale` seconds."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import col, delete
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from core.db import session_scope
from core.models_limits import StartClaim, upsert

POLL = 0.1  # seconds between two tries of a waiting start
STILL_STARTING = ("Pengajuan Anda sebelumnya untuk layanan ini masih diproses. "
                  "Periksa daftar kasus Anda sebentar lagi sebelum mengajukan ulang.")


def claim(engine: Engine, sop: str, account_id: int, holder: str, now: float, stale: float) -> bool:
    """Takes the claim when nobody holds it, or when its holder's claim is older than `stale` seconds."""
    with session_scope(engine) as session:
        take = (upsert(session, StartClaim).values(sop=sop, account_id=account_id, holder=holder, claimed_at=now)
                .on_conflict_do_update(index_elements=["sop", "account_id"],
                                       set_={"holder": holder, "claimed_at": now},
                                       where=col(StartClaim.claimed_at) <= now - stale)
                .returning(col(StartClaim.holder)))
        taken = session.exec(take).scalar_one_or_none()
        session.commit()
    return taken == holder


def release(engine: Engine, sop: str, account_id: int, holder: str) -> None:
    with session_scope(engine) as session:
        session.exec(delete(StartClaim).where(col(StartClaim.sop) == sop, col(StartClaim.account_id) == account_id,
                                              col(StartClaim.holder) == holder))
        session.commit()


@asynccontextmanager
async def one_start_at_a_time(engine: Engine, sop: str, account_id: int, *, wait: float, stale: float,
                              clock: Callable[[], float] = time.time) -> AsyncIterator[None]:
    """Holds the account's claim on starting `sop` for the block; waits up to `wait` seconds for another
    start's claim to go (then 409)."""
    holder = secrets.token_hex(8)
    give_up = time.monotonic() + wait
    while not await run_in_threadpool(claim, engine, sop, account_id, holder, clock(), stale):
        if time.monotonic() >= give_up:
            raise ApiError(409, STILL_STARTING)
        await asyncio.sleep(POLL)
    try:
        yield
    finally:
        with anyio.CancelScope(shield=True):  # a cancelled request still lets go of its claim
            await run_in_threadpool(release, engine, sop, account_id, holder)
