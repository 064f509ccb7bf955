"""jathil-order's timers on real parts (time-skipping server, database, calendar, mail sink): an unpaid
transfer cancelled after 1 working day with its stock given back once, receipt confirmed automatically
`receipt_days` working days after shipping, and the 3-working-day delivery standard across a weekend.
Expected instants come from the holiday oracle (tests.utils.timeskip), decisions by the `decide` update."""

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from api.views import case_view
from core.config import Settings
from core.db import engine_for
from core.ledger import totals
from core.messages import Decision, Person
from core.models import Case, CaseEvent, Task
from core.users import person
from tests.utils.factories import make_user
from tests.utils.histories import maybe_save_history
from tests.utils.jathil import stock_of
from tests.utils.jathil_order import Shop, assert_ledger_balanced, open_shop, place_order, stock_releases
from tests.utils.timeskip import is_working_day, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from tests.workflows.test_spans import search_attribute
from worker import build_worker
from workflows.jathil_order import UNPAID
from workflows.sop import OVERDUE_KEY

WIB = ZoneInfo("Asia/Jakarta")
SHIPMENT = {"courier": "JNE", "tracking_number": "JNE0012345678"}


@pytest.fixture
def shop(settings: Settings) -> Iterator[Shop]:
    engine = engine_for(settings.database_url)
    yield open_shop(engine)
    assert_ledger_balanced(engine)


def working(weekday: int):  # type: ignore[no-untyped-def]
    def fits(day: date, closed: set[date]) -> bool:
        return day.weekday() == weekday and is_working_day(day, closed)
    return fits


def open_tasks(shop: Shop, case_id: str) -> list[Task]:
    with Session(shop.engine) as session:
        return list(session.exec(select(Task).where(Task.case_id == case_id)))


def open_step(shop: Shop, case_id: str) -> str | None:
    tasks = open_tasks(shop, case_id)
    return tasks[0].step if len(tasks) == 1 else None


def step_events(shop: Shop, case_id: str, step: str, action: str) -> list[CaseEvent]:
    with Session(shop.engine) as session:
        return list(session.exec(select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.step == step, CaseEvent.action == action)
            .order_by(col(CaseEvent.seq))))


def case_row(shop: Shop, case_id: str) -> Case:
    with Session(shop.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


async def decide(handle: WorkflowHandle, step: str, action: str, actor: Person, **extra: Any) -> None:
    await handle.execute_update("decide", Decision(step, action, actor, **extra))


async def overdue_attribute_becomes(handle: WorkflowHandle, expected: bool) -> None:
    """AlurOverdue is upserted when the workflow task that wrote the projection completes: poll it."""
    for _ in range(400):
        if await search_attribute(handle, OVERDUE_KEY.name) is expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"AlurOverdue never became {expected}")


async def test_an_unpaid_transfer_is_cancelled_after_one_working_day_and_the_stock_comes_back_once(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink, shop: Shop) -> None:
    friday, closed = await scenario_day(time_env, working(4))
    placed = datetime.combine(friday, time(14, 0), WIB)
    cancel = working_days_after(placed, 1, closed)
    remind = cancel - timedelta(hours=2)  # 2 working hours before, the same morning
    assert (cancel.date() - placed.date()).days >= 3  # the weekend is not counted

    async with build_worker(time_env.client, settings, shop.engine):
        await skip_to(time_env, placed)
        case_id = await place_order(time_env.client, settings, shop, qty=2, payment="transfer")
        handle = time_env.client.get_workflow_handle(case_id)
        [task] = open_tasks(shop, case_id)
        assert task.step == "pay" and near(task.due_at, cancel)
        assert stock_of(shop.engine, shop.product) == shop.stock - 2

        await skip_to(time_env, remind + timedelta(minutes=1))
        [reminder] = await eventually(lambda: step_events(shop, case_id, "pay", "reminder"))
        assert near(reminder.at, remind)
        await eventually(lambda: mails_to(mail_sink, shop.buyer.email, "pengingat"))

        await skip_to(time_env, cancel - timedelta(minutes=1))
        assert not step_events(shop, case_id, "pay", "cancel")
        assert stock_of(shop.engine, shop.product) == shop.stock - 2
        await skip_to(time_env, cancel + timedelta(minutes=1))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "jathil-order-unpaid-cancelled")

    assert result["status"] == "cancelled"
    [cancelled] = step_events(shop, case_id, "pay", "cancel")
    assert near(cancelled.at, cancel) and cancelled.actor_name == "Sistem"
    row = case_row(shop, case_id)
    assert (row.status, row.stage) == ("cancelled", "Dibatalkan") and open_tasks(shop, case_id) == []
    assert stock_of(shop.engine, shop.product) == shop.stock  # given back ...
    assert len(stock_releases(shop.engine, case_id)) == 1  # ... exactly once
    [notice] = await eventually(lambda: mails_to(mail_sink, shop.buyer.email, "dibatalkan"))
    assert UNPAID in notice["text"]
    with Session(shop.engine) as session:
        assert totals(session, case_id) == {}  # nothing was paid, nothing posted


async def test_receipt_is_confirmed_automatically_after_receipt_days_then_cod_is_collected(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink, shop: Shop) -> None:
    thursday, closed = await scenario_day(time_env, working(3))
    placed = datetime.combine(thursday, time(10, 0), WIB)
    shipped = placed + timedelta(hours=1)
    received = working_days_after(shipped, 2, closed)  # Ponorogo: receipt_days = 2
    assert (received.date() - shipped.date()).days >= 4  # across the weekend

    async with build_worker(time_env.client, settings, shop.engine):
        await skip_to(time_env, placed)
        case_id = await place_order(time_env.client, settings, shop, qty=1)
        handle = time_env.client.get_workflow_handle(case_id)
        await decide(handle, "verify", "valid", person(shop.verifier))
        await eventually(lambda: open_step(shop, case_id) == "ship")
        await skip_to(time_env, shipped)
        await decide(handle, "ship", "ship", person(shop.seller), data=SHIPMENT)
        [task] = await eventually(lambda: [t for t in open_tasks(shop, case_id) if t.step == "receive"])
        assert near(task.due_at, received) and task.assignee_id == shop.buyer.id
        [notice] = await eventually(lambda: mails_to(mail_sink, shop.buyer.email, "sudah dikirim"))
        assert SHIPMENT["tracking_number"] in notice["text"]

        await skip_to(time_env, received - timedelta(minutes=1))
        assert not step_events(shop, case_id, "receive", "received") and open_step(shop, case_id) == "receive"
        await skip_to(time_env, received + timedelta(minutes=1))
        [confirmed] = await eventually(lambda: step_events(shop, case_id, "receive", "received"))
        assert near(confirmed.at, received) and confirmed.actor_name == "Sistem"
        [collect] = await eventually(lambda: [t for t in open_tasks(shop, case_id) if t.step == "cod_paid"])
        assert collect.assignee_id == shop.seller.id
        with Session(shop.engine) as session:
            assert totals(session, case_id) == {}  # the cash is not collected yet

        await decide(handle, "cod_paid", "cod_paid", person(shop.seller))
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "jathil-order-auto-received")

    assert result["status"] == "completed"
    with Session(shop.engine) as session:
        assert totals(session, case_id) == {"cod_buyer": -25000, "cod_seller": 25000}  # 15 000 + 10 000 fee
    await eventually(lambda: mails_to(mail_sink, shop.buyer.email, "selesai"))


@pytest.mark.parametrize("weekday", [3, 4], ids=["thursday", "friday"])
async def test_the_three_day_delivery_standard_escalates_to_the_main_administrator_after_the_weekend(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink, shop: Shop, weekday: int) -> None:
    day, closed = await scenario_day(time_env, working(weekday))
    verified = datetime.combine(day, time(9, 0), WIB)
    due = working_days_after(verified, 3, closed)  # Ponorogo: delivery_days = 3, from the valid verification
    remind = working_days_after(verified, 2, closed)  # 1 working day before
    ship_due = working_days_after(verified, 1, closed)
    shipped = ship_due + timedelta(hours=5)  # the seller ships late, the same afternoon
    received = working_days_after(shipped, 2, closed)  # automatic receipt, after the span's deadline
    assert (due.date() - verified.date()).days >= 5 and shipped < remind < due < received
    other_agency = make_user(shop.engine, "admin_utama", "jatim").email

    async with build_worker(time_env.client, settings, shop.engine):
        await skip_to(time_env, verified)
        case_id = await place_order(time_env.client, settings, shop, qty=1)
        handle = time_env.client.get_workflow_handle(case_id)
        await decide(handle, "verify", "valid", person(shop.verifier))
        await eventually(lambda: open_step(shop, case_id) == "ship")
        assert near(case_row(shop, case_id).service_due_at, due)
        with Session(shop.engine) as session:
            view = case_view(session, session.get(Case, case_id))  # type: ignore[arg-type]
        assert near(view.service_due_at, due)  # type: ignore[arg-type]
        await overdue_attribute_becomes(handle, False)

        # The seller is late: the ship step escalates on its own deadline (to the field administrator).
        await skip_to(time_env, ship_due + timedelta(minutes=1))
        [late_ship] = await eventually(lambda: step_events(shop, case_id, "ship", "escalation"))
        assert near(late_ship.at, ship_due)
        await overdue_attribute_becomes(handle, True)
        await skip_to(time_env, shipped)
        await decide(handle, "ship", "ship", person(shop.seller), data=SHIPMENT)
        await eventually(lambda: open_step(shop, case_id) == "receive")
        assert not case_row(shop, case_id).overdue and near(case_row(shop, case_id).service_due_at, due)
        await overdue_attribute_becomes(handle, False)  # the late step is closed; the span is not late yet

        await skip_to(time_env, remind - timedelta(minutes=1))
        assert not step_events(shop, case_id, "delivery", "reminder")
        await skip_to(time_env, remind + timedelta(minutes=1))
        [reminder] = await eventually(lambda: step_events(shop, case_id, "delivery", "reminder"))
        assert near(reminder.at, remind)
        await eventually(lambda: mails_to(mail_sink, shop.buyer.email, "Pengingat batas waktu: Batas waktu pesanan"))

        await skip_to(time_env, due - timedelta(minutes=1))
        assert not step_events(shop, case_id, "delivery", "escalation") and not case_row(shop, case_id).overdue
        await skip_to(time_env, due + timedelta(minutes=1))
        [escalation] = await eventually(lambda: step_events(shop, case_id, "delivery", "escalation"))
        assert near(escalation.at, due)
        await eventually(lambda: mails_to(mail_sink, shop.main_admin.email, "Eskalasi: Batas waktu pesanan sampai"))
        late = case_row(shop, case_id)
        assert late.overdue and near(late.service_due_at, due) and late.status == "open"
        await overdue_attribute_becomes(handle, True)
        assert not mails_to(mail_sink, other_agency, "Eskalasi")

        # Nobody confirms: receipt is confirmed automatically, which ends the span; COD goes on.
        await skip_to(time_env, received + timedelta(minutes=1))
        await eventually(lambda: open_step(shop, case_id) == "cod_paid")
        ended = case_row(shop, case_id)
        assert ended.service_due_at is None and not ended.overdue
        await overdue_attribute_becomes(handle, False)
        await decide(handle, "cod_paid", "cod_paid", person(shop.seller))
        result = await handle.result()
        if weekday == 3:  # one committed history of this path is enough
            await maybe_save_history(time_env.client, case_id, "jathil-order-delivery-late")

    assert result["status"] == "completed"
    assert len(step_events(shop, case_id, "delivery", "escalation")) == 1
