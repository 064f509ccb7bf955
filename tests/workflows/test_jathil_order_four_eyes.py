"""Four eyes in jathil-order: whoever verified a transaction never pays it out, even when the same
person later acts as main administrator; another main administrator does. Driven by the `decide` update
on real parts (time-skipping server, database): the refused one is answered as forbidden, and the
workflow stays where it was, in the projection and in the workflow itself."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from core.db import engine_for
from core.ledger import totals
from core.messages import Decision, Person
from core.models import Case, CaseEvent, Task
from core.users import person
from tests.utils.histories import maybe_save_history
from tests.utils.jathil_order import Shop, assert_ledger_balanced, open_shop, place_order
from tests.utils.waiting import eventually
from worker import build_worker
from workflows.jathil_order import JathilOrderWorkflow
from workflows.sop import FORBIDDEN

SHIPMENT = {"courier": "POS", "tracking_number": "POS998877"}
TOTAL = 25000  # one item of 15 000 and the Ponorogo fee


@pytest.fixture
def shop(settings: Settings) -> Iterator[Shop]:
    engine = engine_for(settings.database_url)
    yield open_shop(engine)
    assert_ledger_balanced(engine)


def open_step(shop: Shop, case_id: str) -> str | None:
    with Session(shop.engine) as session:
        tasks = list(session.exec(select(Task).where(Task.case_id == case_id)))
    return tasks[0].step if len(tasks) == 1 else None


def step_events(shop: Shop, case_id: str, step: str) -> list[CaseEvent]:
    with Session(shop.engine) as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.step == step)))


async def decide(handle: WorkflowHandle, step: str, action: str, actor: Person, **extra: Any) -> None:
    await handle.execute_update(JathilOrderWorkflow.decide, Decision(step, action, actor, **extra))


# The payout decision: the release step after a confirmed receipt, or the complaint rejected at resolve.
PATHS = {
    "release": (("receive", "received", {}), ("release", "release", {"data": {"bank_reference": "BRI-20261126-01"}})),
    "resolve": (("receive", "complain", {"reason": "Kemasan penyok"}),
                ("resolve", "release", {"reason": "Isi utuh menurut foto kurir"})),
}


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_the_verifier_never_pays_out_another_main_administrator_does(
        time_env: WorkflowEnvironment, settings: Settings, shop: Shop, path: str) -> None:
    (receive_step, receipt, receipt_extra), (payout_step, payout, payout_extra) = PATHS[path]
    verifier = person(shop.verifier)
    promoted = replace(verifier, role="admin_utama")  # the same person, now acting as main administrator

    async with build_worker(time_env.client, settings, shop.engine):
        case_id = await place_order(time_env.client, settings, shop, proof=True, qty=1, payment="transfer")
        handle = time_env.client.get_workflow_handle(case_id)
        for step, action, actor, extra in (
                ("pay", "paid", person(shop.buyer), {}), ("verify", "valid", verifier, {}),
                ("ship", "ship", person(shop.seller), {"data": SHIPMENT}),
                (receive_step, receipt, person(shop.buyer), receipt_extra)):
            await eventually(lambda step=step: open_step(shop, case_id) == step)
            await decide(handle, step, action, actor, **extra)
        await eventually(lambda: open_step(shop, case_id) == payout_step)

        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await decide(handle, payout_step, payout, promoted, **payout_extra)
        assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == FORBIDDEN
        assert [s.step for s in await handle.query(JathilOrderWorkflow.open_steps)] == [payout_step]
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert open_step(shop, case_id) == payout_step and step_events(shop, case_id, payout_step) == []
        with Session(shop.engine) as session:
            case = session.get(Case, case_id)
            assert case is not None and case.status == "open"
            assert totals(session, case_id) == {"bank": -TOTAL, "escrow": TOTAL}  # still held

        await decide(handle, payout_step, payout, person(shop.main_admin), **payout_extra)
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, f"jathil-order-four-eyes-{path}")

    assert result["status"] == "completed"
    [paid_out] = step_events(shop, case_id, payout_step)
    assert (paid_out.actor_id, paid_out.action) == (shop.main_admin.id, payout)
    with Session(shop.engine) as session:
        assert totals(session, case_id) == {"bank": -TOTAL, "escrow": 0, "seller_payable": TOTAL}
