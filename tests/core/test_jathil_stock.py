"""JATHIL MART stock: a conditional UPDATE per reservation, so concurrent orders never oversell; and the
table as the models describe it. SQLite file, and PostgreSQL when ALUR_TEST_DATABASE_URL is set."""

import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.db import engine_for
from core.models import utcnow
from core.models_jathil import JathilProduct, reserve_stock, restore_stock
from tests.utils.factories import make_user

BUYERS = 20


def product(url: str, stock: int) -> int:
    engine = engine_for(url)
    seller = make_user(engine, "umkm")
    with Session(engine) as session:
        row = JathilProduct(seller_id=seller.id, name="Sambel pecel", description="250 g", category="makanan_minuman",
                            price=20000, stock=stock, weight_grams=300, created_at=utcnow(), updated_at=utcnow())
        session.add(row)
        session.commit()
        return row.id  # type: ignore[return-value]


def stock_of(url: str, product_id: int) -> int:
    with Session(engine_for(url)) as session:
        return session.get(JathilProduct, product_id).stock  # type: ignore[union-attr]


def test_twenty_concurrent_reservations_of_five_in_stock_sell_exactly_five(database_url: str) -> None:
    product_id = product(database_url, stock=5)
    engine = engine_for(database_url)
    start = threading.Barrier(BUYERS)
    results: list[bool] = []
    errors: list[BaseException] = []

    def buy() -> None:
        try:
            with Session(engine) as session:  # each buyer its own session and connection
                start.wait(timeout=30)
                reserved = reserve_stock(session, product_id, 1)
                session.commit()
            results.append(reserved)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=buy) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == BUYERS
    assert results.count(True) == 5 and stock_of(database_url, product_id) == 0

    with Session(engine) as session:
        assert reserve_stock(session, product_id, 1) is False  # sold out: nothing changes
        restore_stock(session, product_id, 2)  # a cancelled order gives its two back
        session.commit()
    assert stock_of(database_url, product_id) == 2
    with Session(engine) as session:
        assert reserve_stock(session, product_id, 3) is False and reserve_stock(session, product_id, 2) is True
        session.commit()
    assert stock_of(database_url, product_id) == 0


def test_reservations_are_positive_and_the_database_refuses_a_negative_stock(database_url: str) -> None:
    product_id = product(database_url, stock=1)
    with Session(engine_for(database_url)) as session:
        for qty in (0, -3):
            with pytest.raises(ValueError):
                reserve_stock(session, product_id, qty)
            with pytest.raises(ValueError):
                restore_stock(session, product_id, qty)
        row = session.get(JathilProduct, product_id)
        row.stock = -1  # type: ignore[union-attr]
        session.add(row)
        with pytest.raises(IntegrityError):
            session.commit()


def test_the_jathil_table_matches_its_model(tmp_path: Path) -> None:
    """What `alembic revision --autogenerate` would add for jathil_products: nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from core.db import migrate

    url = f"sqlite:///{tmp_path / 'head.db'}"
    migrate(url)
    with engine_for(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in diff if "jathil_products" in str(d)] == []
