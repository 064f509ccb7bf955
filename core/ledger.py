"""A double-entry ledger in integer rupiah: every posting moves an amount from one account to another
as two entries (a credit and a debit) written together, so the entries always sum to zero.

Accounts (per case): `bank` (the JATHIL MART account receives a transfer), `escrow` (held for an
order), `seller_payable` (released to the seller), `buyer_refund_due` (owed back to the buyer), and for
cash on delivery `cod_buyer` -> `cod_seller` (recorded, never held in escrow). A posting's key is unique:
a retried activity that posts again finds its key and changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, case
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, func, select

from core.models import at_field

POST_LEDGER = "post_ledger"  # the activity name, shared by its defn and the workflows that call it
ACCOUNTS = ("bank", "escrow", "seller_payable", "buyer_refund_due", "cod_buyer", "cod_seller")


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, max_length=60)
    account: str = Field(index=True, max_length=30)
    debit: int = Field(default=0, sa_type=BigInteger)
    credit: int = Field(default=0, sa_type=BigInteger)
    key: str = Field(unique=True, max_length=200)  # the posting's key + ":dr" / ":cr"
    at: datetime = at_field()


@dataclass
class Posting:
    """`amount` moves from `source` to `target` for one case; `key` makes it happen once."""

    case_id: str
    key: str
    source: str
    target: str
    amount: int


class LedgerRefused(ValueError):
    """A posting that would break the ledger's rules (an unknown account, escrow below zero)."""


def balance(session: Session, case_id: str, account: str) -> int:
    """Debits minus credits of one account of one case: what it holds."""
    query = select(func.coalesce(func.sum(LedgerEntry.debit - LedgerEntry.credit), 0)).where(
        LedgerEntry.case_id == case_id, LedgerEntry.account == account)
    return int(session.exec(query).one())


def post(engine: Engine, posting: Posting) -> bool:
    """Writes the posting's two entries in one transaction; False when its key was posted before."""
    if posting.source not in ACCOUNTS or posting.target not in ACCOUNTS or posting.source == posting.target:
        raise LedgerRefused(f"unknown or equal accounts {posting.source!r} -> {posting.target!r}")
    if posting.amount <= 0:
        raise LedgerRefused(f"amount must be positive, got {posting.amount}")
    with Session(engine) as session:
        if session.exec(select(LedgerEntry.id).where(LedgerEntry.key == f"{posting.key}:cr")).first() is not None:
            return False
        if posting.source == "escrow" and balance(session, posting.case_id, "escrow") < posting.amount:
            raise LedgerRefused(f"escrow of {posting.case_id} holds less than {posting.amount}")
        session.add(LedgerEntry(case_id=posting.case_id, account=posting.source, credit=posting.amount,
                                key=f"{posting.key}:cr"))
        session.add(LedgerEntry(case_id=posting.case_id, account=posting.target, debit=posting.amount,
                                key=f"{posting.key}:dr"))
        try:
            session.commit()
        except IntegrityError:  # a concurrent retry posted the same key first
            session.rollback()
            return False
    return True


def entries(session: Session, case_id: str | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry)
    if case_id:
        query = query.where(LedgerEntry.case_id == case_id)
    return list(session.exec(query.order_by(col(LedgerEntry.id))))


def totals(session: Session, case_id: str | None = None) -> dict[str, int]:
    """Per account, debits minus credits (over one case, or all); the values sum to zero."""
    query = select(LedgerEntry.account, func.sum(LedgerEntry.debit - LedgerEntry.credit)).group_by(LedgerEntry.account)
    if case_id:
        query = query.where(LedgerEntry.case_id == case_id)
    return {account: int(amount) for account, amount in session.exec(query)}


def negative_escrows(session: Session) -> list[str]:
    """Cases whose escrow holds less than nothing: always empty when the rules hold."""
    held = func.sum(case((LedgerEntry.account == "escrow", LedgerEntry.debit - LedgerEntry.credit), else_=0))
    query = select(LedgerEntry.case_id).group_by(LedgerEntry.case_id).having(held < 0)
    return list(session.exec(query))
