"""jathil-order side effects: an order's reserved stock given back, once (core.models_jathil.release_once)."""

from typing import Any

from anyio import to_thread
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.ledger import LedgerActivities
from core.config import Settings
from core.models_jathil import release_once
from workflows.jathil_order import RELEASE_STOCK, StockReturn


class OrderActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=RELEASE_STOCK)
    async def release_order_stock(self, order: StockReturn) -> bool:
        """True when given back now; False when this reservation was given back before (a retry)."""
        return await to_thread.run_sync(self._release, order)

    def _release(self, order: StockReturn) -> bool:
        with Session(self.engine) as session:
            items = [(product_id, qty) for product_id, qty in order.items]
            return release_once(session, f"return:{order.reservation}", order.case_id, items)


def sop_activities(settings: Settings, engine: Engine) -> list[Any]:
    """jathil-order's activities, for the worker (workflows.jathil_order names this module)."""
    return [LedgerActivities(engine).post_ledger, OrderActivities(engine).release_order_stock]
