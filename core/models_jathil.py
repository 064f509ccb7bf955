"""JATHIL MART: the products approved sellers offer, and their stock.

A seller is an account whose `jathil-vendor` case completed with `may_sell` (the case projection);
the rule lives here once, as a query condition, for the seller pages and the public catalogue alike.
Stock is only ever changed by one conditional UPDATE, so concurrent orders never sell what is not there.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, exists, select

from core.messages import CaseStatus
from core.models import Case, at_field, utcnow

VENDOR_SOP = "jathil-vendor"


class JathilProduct(SQLModel, table=True):
    """A product a JATHIL MART seller offers; the photo is stored like documents (core.documents)."""

    __tablename__ = "jathil_products"
    # The database refuses what no code path may write: a negative stock, a free product.
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_jathil_products_stock"),
                      CheckConstraint("price > 0", name="ck_jathil_products_price"))
    id: int | None = Field(default=None, primary_key=True)
    seller_id: int = Field(index=True, foreign_key="users.id")
    name: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    category: str = Field(index=True, max_length=30)
    price: int  # whole rupiah
    stock: int
    weight_grams: int
    active: bool = True
    photo_name: str | None = Field(default=None, max_length=40)  # our random stored name, never the client's
    photo_type: str | None = Field(default=None, max_length=20)
    created_at: datetime = at_field()
    updated_at: datetime = at_field()


# ---- sellers -------------------------------------------------------------------------------


def approved_cases(seller_id: Any) -> Any:
    """Condition on Case: a completed jathil-vendor case of `seller_id` (a value or a column) that may sell."""
    return (col(Case.sop) == VENDOR_SOP) & (col(Case.applicant_id) == seller_id) & \
        (col(Case.status) == CaseStatus.COMPLETED) & (col(Case.data)["may_sell"].as_boolean() == true())


def approved_seller() -> Any:
    """Condition on JathilProduct: its seller is approved now (a seller whose case is no longer completed
    drops out of the catalogue at once)."""
    return exists().where(approved_cases(JathilProduct.seller_id))


def seller_case(session: Session, user_id: int) -> Case | None:
    """The approving case of a seller (the latest one), or None: this account may not sell."""
    query = select(Case).where(approved_cases(user_id)).order_by(col(Case.closed_at).desc(), col(Case.id).desc())
    return session.exec(query).first()


def business_names(session: Session, seller_ids: set[int]) -> dict[int, str]:
    """Seller id -> the business name of their latest approving case."""
    if not seller_ids:
        return {}
    query = (select(Case).where(approved_cases(col(Case.applicant_id)), col(Case.applicant_id).in_(seller_ids))
             .order_by(col(Case.closed_at), col(Case.id)))
    return {case.applicant_id: str(case.data.get("business_name") or case.applicant_name)
            for case in session.exec(query)}


# ---- stock ---------------------------------------------------------------------------------


def reserve_stock(session: Session, product_id: int, qty: int) -> bool:
    """Takes `qty` off the stock if that much is there, in one conditional UPDATE; False if not (nothing
    changed). It runs in the caller's transaction: commit to keep it (roll back to give it up). Call it
    before reading in the same transaction on SQLite, so that the transaction starts as a writer."""
    if qty <= 0:
        raise ValueError(f"quantity must be positive, not {qty}")
    result = session.exec(
        update(JathilProduct)
        .where(col(JathilProduct.id) == product_id, col(JathilProduct.stock) >= qty)
        .values(stock=col(JathilProduct.stock) - qty, updated_at=utcnow())
    )
    return result.rowcount == 1  # type: ignore[union-attr]


def restore_stock(session: Session, product_id: int, qty: int) -> None:
    """Gives `qty` back (a cancelled or refused order), in the caller's transaction."""
    if qty <= 0:
        raise ValueError(f"quantity must be positive, not {qty}")
    session.exec(
        update(JathilProduct).where(col(JathilProduct.id) == product_id)
        .values(stock=col(JathilProduct.stock) + qty, updated_at=utcnow())
    )


# ---- orders --------------------------------------------------------------------------------


class StockRelease(SQLModel, table=True):
    """An order's reservation given back: its unique key makes a retried release change nothing."""

    __tablename__ = "jathil_stock_releases"
    key: str = Field(primary_key=True, max_length=80)
    case_id: str = Field(index=True, max_length=60)
    at: datetime = at_field()


def reserve_items(session: Session, items: list[tuple[int, int]]) -> bool:
    """Reserves every (product id, quantity) or none, in the caller's transaction (commit to keep)."""
    for product_id, qty in items:
        if not reserve_stock(session, product_id, qty):
            session.rollback()
            return False
    return True


def release_once(session: Session, key: str, case_id: str, items: list[tuple[int, int]]) -> bool:
    """Gives an order's reservation back once per `key`; False when it was given back before."""
    if session.get(StockRelease, key) is not None:
        return False
    session.add(StockRelease(key=key, case_id=case_id))
    for product_id, qty in items:
        restore_stock(session, product_id, qty)
    try:
        session.commit()
    except IntegrityError:  # a concurrent retry released it first
        session.rollback()
        return False
    return True
