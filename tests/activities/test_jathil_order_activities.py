"""jathil-order's own activities retried (run twice under ActivityEnvironment, as Temporal retries them
after a lost completion): a ledger posting posts one pair of entries, a reservation comes back once."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.jathil import OrderActivities
from activities.ledger import LedgerActivities
from core.db import engine_for
from core.ledger import Posting, entries, totals
from tests.utils.jathil import stock_of
from tests.utils.jathil_order import Shop, assert_ledger_balanced, open_shop, order_data, stock_releases
from workflows.jathil_order import StockReturn, undo

CASE = "jathil-order-2026-000001"


@pytest.fixture
def shop(database_url: str) -> Iterator[Shop]:
    engine = engine_for(database_url)
    yield open_shop(engine)
    assert_ledger_balanced(engine)


async def test_a_retried_ledger_posting_posts_one_pair_of_entries(shop: Shop) -> None:
    post_ledger = LedgerActivities(shop.engine).post_ledger
    posting = Posting(CASE, f"{CASE}/received", "bank", "escrow", 40000)
    assert await ActivityEnvironment().run(post_ledger, posting) is True
    assert await ActivityEnvironment().run(post_ledger, posting) is False  # the retry finds its key
    with Session(shop.engine) as session:
        posted = entries(session, CASE)
        assert sorted(e.key for e in posted) == [f"{CASE}/received:cr", f"{CASE}/received:dr"]
        assert totals(session, CASE) == {"bank": -40000, "escrow": 40000}

    payout = Posting(CASE, f"{CASE}/release", "escrow", "seller_payable", 40001)  # more than escrow holds
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(post_ledger, payout)
    assert refused.value.type == "LedgerRefused" and refused.value.non_retryable  # no retry can fix it
    with Session(shop.engine) as session:
        assert len(entries(session, CASE)) == 2


async def test_a_retried_stock_return_gives_the_reservation_back_once(shop: Shop) -> None:
    data = order_data(shop, qty=2)  # reserved by the intake, as the API does
    assert stock_of(shop.engine, shop.product) == shop.stock - 2
    release = OrderActivities(shop.engine).release_order_stock
    order = StockReturn(CASE, data["reservation"], [[shop.product, 2]])
    assert await ActivityEnvironment().run(release, order) is True
    assert await ActivityEnvironment().run(release, order) is False
    assert stock_of(shop.engine, shop.product) == shop.stock
    with Session(shop.engine) as session:
        undo(session, data)  # the intake's own give-back shares the key: nothing comes back twice
    assert stock_of(shop.engine, shop.product) == shop.stock
    assert len(stock_releases(shop.engine, CASE)) == 1
