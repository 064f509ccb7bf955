"""The public gallery catalogue: curated products on display, with their barcodes."""

from datetime import date, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlmodel import Session, col, func, or_, select

from activities.notify import rupiah
from api.deps import SessionDep
from api.errors import ApiError
from api.paging import Page, RowId, page_query, paginate, per_page_query
from core.barcodes import barcode_svg
from workflows.jathil_vendor import CATEGORIES
from core.models_gallery import GalleryProduct

router = APIRouter(prefix="/catalogue/gallery", tags=["catalogue"])

NOT_FOUND = "Produk tidak ditemukan di galeri"


class GalleryItem(BaseModel):
    id: int
    agency: str
    product_name: str
    business_name: str
    category: str
    category_label: str
    price: int
    price_text: str
    stock: int
    sku: str
    barcode_type: str
    barcode_url: str
    price_tag_url: str
    expiry_date: date | None
    displayed_at: datetime


class GalleryPage(Page[GalleryItem]):
    pass


def catalogue_item(product: GalleryProduct) -> GalleryItem:
    return GalleryItem(
        id=product.id, agency=product.agency, product_name=product.product_name,  # type: ignore[arg-type]
        business_name=product.business_name, category=product.category,
        category_label=CATEGORIES.get(product.category, product.category), price=product.price,
        price_text=rupiah(product.price), stock=product.stock, sku=product.sku, barcode_type=product.barcode_type,
        barcode_url=f"/api/v1/catalogue/gallery/{product.id}/barcode.svg",
        price_tag_url=f"/galeri/produk/{product.id}/label",
        expiry_date=product.expiry_date, displayed_at=product.displayed_at,
    )


def catalogue_query(category: str | None, q: str | None, agency: str | None):  # type: ignore[no-untyped-def]
    query = select(GalleryProduct)
    if category:
        query = query.where(GalleryProduct.category == category)
    if agency:
        query = query.where(GalleryProduct.agency == agency)
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(GalleryProduct.product_name).like(pattern),
                                func.lower(GalleryProduct.business_name).like(pattern)))
    return query


@router.get("", response_model=GalleryPage)
def catalogue(*, session: SessionDep, category: str | None = None, q: str | None = None, agency: str | None = None,
              page: int = page_query(), per_page: int = per_page_query(24)) -> GalleryPage:
    """Public: products on display, newest first; filter by category, agency or a search text."""
    return catalogue_page(session, category, q, agency, page, per_page)


def catalogue_page(session: Session, category: str | None, q: str | None, agency: str | None, page: int,
                   per_page: int) -> GalleryPage:
    newest = (col(GalleryProduct.displayed_at).desc(), col(GalleryProduct.id).desc())
    return paginate(session, catalogue_query(category, q, agency), newest, page, per_page, catalogue_item, GalleryPage)


def product_or_404(session: SessionDep, product_id: int) -> GalleryProduct:
    product = session.get(GalleryProduct, product_id)
    if product is None:
        raise ApiError(404, NOT_FOUND)
    return product


@router.get("/{product_id}", response_model=GalleryItem)
def product(*, product_id: RowId, session: SessionDep) -> GalleryItem:
    return catalogue_item(product_or_404(session, product_id))


@router.get("/{product_id}/barcode.svg", response_class=Response)
def barcode(*, product_id: RowId, session: SessionDep) -> Response:
    found = product_or_404(session, product_id)
    return Response(barcode_svg(found.sku, found.barcode_type), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})
