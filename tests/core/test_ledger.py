"""The ledger: postings balance, a retried key posts once, escrow never goes below zero."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import engine_for
from core.ledger import LedgerRefused, Posting, balance, entries, negative_escrows, post, totals


@pytest.fixture
def ledger_engine(database_url: str) -> Engine:
    return engine_for(database_url)


def test_an_order_paid_then_released_balances(ledger_engine: Engine) -> None:
    assert post(ledger_engine, Posting("order-1", "order-1/paid", "bank", "escrow", 150_000))
    assert post(ledger_engine, Posting("order-1", "order-1/release", "escrow", "seller_payable", 150_000))
    with Session(ledger_engine) as session:
        assert totals(session) == {"bank": -150_000, "escrow": 0, "seller_payable": 150_000}
        assert sum(totals(session).values()) == 0
        assert balance(session, "order-1", "escrow") == 0 and negative_escrows(session) == []
        assert len(entries(session, "order-1")) == 4


def test_a_retried_posting_changes_nothing(ledger_engine: Engine) -> None:
    posting = Posting("order-2", "order-2/paid", "bank", "escrow", 25_000)
    with ThreadPoolExecutor(8) as pool:  # retries racing each other
        posted = list(pool.map(lambda _: post(ledger_engine, posting), range(8)))
    assert posted.count(True) == 1
    with Session(ledger_engine) as session:
        assert balance(session, "order-2", "escrow") == 25_000 and len(entries(session, "order-2")) == 2


def test_escrow_never_pays_out_more_than_it_holds(ledger_engine: Engine) -> None:
    post(ledger_engine, Posting("order-3", "order-3/paid", "bank", "escrow", 10_000))
    with pytest.raises(LedgerRefused):
        post(ledger_engine, Posting("order-3", "order-3/release", "escrow", "seller_payable", 10_001))
    with pytest.raises(LedgerRefused):
        post(ledger_engine, Posting("order-3", "order-3/odd", "bank", "nowhere", 1))
    with Session(ledger_engine) as session:
        assert balance(session, "order-3", "escrow") == 10_000 and negative_escrows(session) == []
