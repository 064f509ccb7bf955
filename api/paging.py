"""One page shape and one way to page a query, for every list the API and the pages show."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel
from sqlmodel import Session, func, select

T = TypeVar("T")
P = TypeVar("P", bound="Page[Any]")
# Bounds that the OpenAPI schema states, so an absurd page number is a 422, never a database error.
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1  # the largest integer key the databases store
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]  # a path id: out of range is a 422, never a database error


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


def page_query(default: int = 1) -> Any:
    return Query(default, ge=1, le=MAX_PAGE)


def per_page_query(default: int = 20) -> Any:
    return Query(default, ge=1, le=MAX_PER_PAGE)


def page_rows(session: Session, query: Any, order_by: Sequence[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """The `page`-th slice of `query` in `order_by` order, and the total."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.order_by(*order_by).offset((page - 1) * per_page).limit(per_page))), total


def paginate(session: Session, query: Any, order_by: Sequence[Any], page: int, per_page: int,
             item: Callable[[Any], Any], into: type[P]) -> P:
    """That slice with each row made into an item, as the page type `into` (e.g. CasePage)."""
    rows, total = page_rows(session, query, order_by, page, per_page)
    return into(items=[item(row) for row in rows], total=total, page=page, per_page=per_page)


def page_number(requested: int) -> int:
    """A page number from a page's address, within the bounds the API states."""
    return min(max(requested, 1), MAX_PAGE)
