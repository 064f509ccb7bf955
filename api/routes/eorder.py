"""E-order's public reads: the product catalogue (published products only) and the SKPD Pembina list."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from api.deps import SessionDep
from workflows.eorder_vendor import CATEGORIES, Category
from core.messages import CaseStatus
from core.models import Case
from core.models_eorder import skpd_list
from workflows.eorder_product import DEFINITION as PRODUCT
from workflows.eorder_vendor import DEFINITION as VENDOR

router = APIRouter(tags=["eorder"])


class CatalogueItem(BaseModel):
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


class CataloguePage(BaseModel):
    items: list[CatalogueItem]
    total: int
    page: int
    per_page: int


class SkpdOut(BaseModel):
    code: str
    name: str


def catalogue_item(case: Case) -> CatalogueItem:
    data = case.data
    return CatalogueItem(
        id=case.id, name=data["name"], description=data["description"], category=data["category"],
        category_label=CATEGORIES.get(data["category"], data["category"]), unit=data["unit"], price=data["price"],
        min_order=data["min_order"], tkdn=data.get("tkdn"), supplier=data.get("supplier", ""),
        published_at=case.closed_at,
    )


def published_products(session: Session, category: str | None, q: str | None, page: int,
                       per_page: int) -> CataloguePage:
    """Read from the case projection: a product is published when its case completed (Tayang)."""
    query = select(Case).where(Case.sop == PRODUCT.id, Case.status == CaseStatus.COMPLETED)
    if category:
        query = query.where(col(Case.data)["category"].as_string() == category)
    if q and q.strip():
        name = func.lower(col(Case.data)["name"].as_string())
        query = query.where(name.contains(q.strip().lower(), autoescape=True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Case.closed_at).desc()).offset((page - 1) * per_page).limit(per_page))
    return CataloguePage(items=[catalogue_item(c) for c in rows], total=total, page=page, per_page=per_page)


@router.get("/catalogue/eorder", response_model=CataloguePage)
def catalogue(*, session: SessionDep, category: Category | None = None, q: str | None = Query(None, max_length=100),
              page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100)) -> CataloguePage:
    """Public: published e-order products, newest first; filter by category, search by name (`q`)."""
    return published_products(session, category, q, page, per_page)


@router.get("/eorder/skpd", response_model=list[SkpdOut])
def skpd(*, session: SessionDep) -> list[SkpdOut]:
    """Public: the SKPD Pembina a UMKM may choose when it registers."""
    return [SkpdOut(code=s.code, name=s.name) for s in skpd_list(session, VENDOR.agency)]
