"""JATHIL MART's JSON API: an approved seller's products, their photos and the public catalogue.

Plain `def` handlers run in a worker thread; the two that read a multipart body are async and do their
database work through run_in_threadpool.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api import jathil
from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep, bearer, user_from_token
from api.paging import page_query, per_page_query
from api.service import ApiError, with_session
from core.models import User
from workflows.jathil_vendor import Category

router = APIRouter(tags=["jathil"])

ProductId = jathil.ProductIdPath
MINE_ONLY = "Daftar ini hanya untuk produk Anda sendiri (mine=true); katalog publik: /api/v1/catalogue/jathil"

# multipart: the fields as JSON in `data`, the photo (JPEG/PNG, content-checked, at most 2 MB) in `photo`.
UPLOAD_DOC: dict[str, Any] = {"requestBody": {"content": {
    "application/json": {"schema": jathil.ProductForm.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "data": {"type": "string", "description": "the product's fields as JSON"},
        "photo": {"type": "string", "format": "binary", "description": "JPEG or PNG, at most 2 MB"}}}},
}}}


def optional_user(engine: EngineDep, settings: SettingsDep,
                  token: Annotated[str | None, Depends(bearer)]) -> User | None:
    with Session(engine, expire_on_commit=False) as session:
        return user_from_token(session, settings, token)


@router.post("/jathil/products", response_model=jathil.ProductView, status_code=201, openapi_extra=UPLOAD_DOC)
async def create_product(request: Request, user: CurrentUser, engine: EngineDep,
                         settings: SettingsDep) -> jathil.ProductView:
    """An approved seller adds a product with its photo (required); 403 for anyone else."""
    await run_in_threadpool(with_session, engine, jathil.require_seller, user)
    body, photo = await jathil.product_body(request)
    return await run_in_threadpool(with_session, engine, jathil.create_product, settings, user, body, photo)


@router.patch("/jathil/products/{product_id}", response_model=jathil.ProductView, openapi_extra=UPLOAD_DOC)
async def update_product(request: Request, product_id: ProductId, user: CurrentUser, engine: EngineDep,
                         settings: SettingsDep) -> jathil.ProductView:
    """The fields given change, the others stay; a new photo replaces the old one. 404 for another
    seller's product."""
    await run_in_threadpool(with_session, engine, jathil.own_product, user, product_id)
    body, photo = await jathil.product_body(request)
    return await run_in_threadpool(with_session, engine, jathil.update_product, settings, user, product_id, body,
                                   photo)


@router.get("/jathil/products", response_model=jathil.ProductPage)
def my_products(*, session: SessionDep, user: CurrentUser, mine: bool = False, page: int = page_query(),
                per_page: int = per_page_query(50)) -> jathil.ProductPage:
    """The seller's own products (`mine=true`), hidden and sold-out ones too, newest first."""
    if not mine:
        raise ApiError(422, [{"loc": ["query", "mine"], "msg": MINE_ONLY, "type": "value_error"}])
    return jathil.my_products(session, user, page, per_page)


@router.get("/jathil/products/{product_id}", response_model=jathil.ProductView)
def my_product(*, product_id: ProductId, session: SessionDep, user: CurrentUser) -> jathil.ProductView:
    return jathil.product_view(jathil.own_product(session, user, product_id))


@router.get("/jathil/products/{product_id}/photo", response_class=FileResponse)
def photo(*, product_id: ProductId, session: SessionDep, settings: SettingsDep,
          user: Annotated[User | None, Depends(optional_user)]) -> FileResponse:
    """Public for an active product of an approved seller; its seller sees a hidden product's photo too."""
    product, public = jathil.photo_for(session, user, product_id)
    return jathil.photo_response(settings, product, public)


@router.get("/catalogue/jathil", response_model=jathil.CataloguePage)
def catalogue(*, session: SessionDep, category: Category | None = None, q: str | None = Query(None, max_length=100),
              page: int = page_query(), per_page: int = per_page_query(24)) -> jathil.CataloguePage:
    """Public: active, in-stock products of approved JATHIL MART sellers, newest first; filter by category,
    search by name (`q`)."""
    return jathil.catalogue(session, category, q, page, per_page)


@router.get("/catalogue/jathil/{product_id}", response_model=jathil.CatalogueItem)
def catalogue_product(*, product_id: ProductId, session: SessionDep) -> jathil.CatalogueItem:
    return jathil.listed_product(session, product_id)
