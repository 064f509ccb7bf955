"""E-order's public reads: the product catalogue (published products only) and the SKPD Pembina list."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from api.deps import SessionDep
from api.paging import Page, page_query, paginate, per_page_query
from workflows.eorder_vendor import CATEGORIES, Category
from core.messages import CaseStatus
from core.models import Case
from core.models_eorder import skpd_list
from workflows.eorder_product import DEFINITION as PRODUCT
from workflows.eorder_vendor import DEFINITION as VENDOR

router = APIRouter(tags=["eorder"])


class EorderItem(BaseModel):
    """What the public sees of a published product: no personal data."""

    id: str
    name: str
    description: str
    category: str
    category_label: str
    unit: str
    price: int
    min_order: int
    tkdn: float | None
    supplier: str
    published_at: datetime | None


class EorderPage(Page[EorderItem]):
    pass


class SkpdOut(BaseModel):
    code: str
    name: str


def catalogue_item(case: Case) -> EorderItem:
    data = case.data
    return EorderItem(
        id=case.id, name=data["name"], description=data["description"], category=data["category"],
        category_label=CATEGORIES.get(data["category"], data["category"]), unit=data["unit"], price=data["price"],
        min_order=data["min_order"], tkdn=data.get("tkdn"), supplier=data.get("supplier", ""),
        published_at=case.closed_at,
    )


def published_products(session: Session, category: str | None, q: str | None, page: int,
                       per_page: int) -> EorderPage:
    """Read from the case projection: a product is published when its case completed (Tayang)."""
    query = select(Case).where(Case.sop == PRODUCT.id, Case.status == CaseStatus.COMPLETED)
    if category:
        query = query.where(col(Case.data)["category"].as_string() == category)
    if q and q.strip():
        name = func.lower(col(Case.data)["name"].as_string())
        query = query.where(name.contains(q.strip().lower(), autoescape=True))
    return paginate(session, query, (col(Case.closed_at).desc(),), page, per_page, catalogue_item, EorderPage)


@router.get("/catalogue/eorder", response_model=EorderPage)
def catalogue(*, session: SessionDep, category: Category | None = None, q: str | None = Query(None, max_length=100),
              page: int = page_query(), per_page: int = per_page_query()) -> EorderPage:
    """Public: published e-order products, newest first; filter by category, search by name (`q`)."""
    return published_products(session, category, q, page, per_page)


@router.get("/eorder/skpd", response_model=list[SkpdOut])
def skpd(*, session: SessionDep) -> list[SkpdOut]:
    """Public: the SKPD Pembina a UMKM may choose when it registers."""
    return [SkpdOut(code=s.code, name=s.name) for s in skpd_list(session, VENDOR.agency)]
