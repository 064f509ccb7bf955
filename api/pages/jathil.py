"""JATHIL MART pages: the public catalogue (/jathil) and an approved seller's products (list, add, edit).

The form's fields come from api.jathil.ProductForm (labels written once); creating and editing go
through the same functions as the JSON API, so the checks and the Indonesian messages are the same.
"""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from api import jathil
from api.documents import Incoming
from api.pages.fields import field_messages, fields_of, read_values, submitted
from api.pages.web import CheckedForm, OptionalUser, PageUser, db, page_router, redirect, render, settings_of
from api.paging import page_number
from api.service import ApiError, with_session
from core.models import User
from core.models_jathil import seller_case
from workflows.jathil_vendor import CATEGORIES

router = page_router()
MINE = "/jathil/produk-saya"
NEW = f"{MINE}/baru"
PER_PAGE = 24
MY_PER_PAGE = 50
NOTICES = {"ditambah": "Produk sudah ditambahkan.", "disimpan": "Perubahan produk sudah disimpan."}
FIX_AND_RECHOOSE = "Periksa kembali isian yang ditandai. Pilih ulang foto produk bila Anda ingin mengunggahnya."
STOCK_SHOWN = "stok_awal"  # the stock the edit form showed


def fields() -> Any:
    return fields_of(jathil.ProductForm)


# ---- the public catalogue ------------------------------------------------------------------


@router.get("/jathil")
def catalogue(request: Request, user: OptionalUser, kategori: str = "", q: str = "", halaman: int = 1) -> Response:
    """Active, in-stock products of approved sellers; no login needed."""
    category = kategori if kategori in CATEGORIES else None
    with db(request) as session:
        page = jathil.catalogue(session, category, q[:100] or None, page_number(halaman), PER_PAGE)
    return render(request, "jathil_catalogue.html", page=page, categories=CATEGORIES, kategori=category or "",
                  q=q[:100], pages=-(-page.total // PER_PAGE), vendor_start=jathil.VENDOR_START)


# ---- the seller's products -----------------------------------------------------------------


@router.get(MINE)
def my_products(request: Request, user: PageUser, pesan: str = "", halaman: int = 1) -> Response:
    with db(request) as session:
        if seller_case(session, user.id) is None:  # type: ignore[arg-type]
            return render(request, "jathil_products.html", status=403, allowed=False, message=jathil.NOT_SELLER,
                          vendor_start=jathil.VENDOR_START)
        page = jathil.my_products(session, user, page_number(halaman), MY_PER_PAGE)
    return render(request, "jathil_products.html", allowed=True, page=page, notice=NOTICES.get(pesan),
                  pages=-(-page.total // MY_PER_PAGE))


def form_page(request: Request, user: User, values: dict[str, Any], product_id: int | None = None,
              error: ApiError | None = None, stock_shown: str | None = None) -> Response:
    """The add or edit form, with what was typed and one message per bad field (runs in a thread)."""
    product = None
    with db(request) as session:
        if product_id is None:
            jathil.require_seller(session, user)
        else:
            product = jathil.product_view(jathil.own_product(session, user, product_id))
    names = {f.name for f in fields()} | {"photo"}
    errors, general = field_messages(error.detail, names) if error else ({}, [])
    if errors and not general:
        general = [FIX_AND_RECHOOSE]
    return render(request, "jathil_product_form.html", status=error.status if error else 200, product=product,
                  fields=fields(), values=values, errors=errors, general=general,
                  action=f"{MINE}/{product_id}" if product_id else NEW, max_mb=jathil.PHOTO_MAX_BYTES // (1024 * 1024),
                  stock_field=STOCK_SHOWN, stock_shown=stock_shown if stock_shown is not None else (
                      str(product.stock) if product else ""))


async def chosen_photo(form: FormData) -> Incoming | None:
    upload = form.get("photo")
    return await jathil.read_photo(upload) if isinstance(upload, UploadFile) and upload.filename else None


@router.get(NEW)
def new_form(request: Request, user: PageUser) -> Response:
    return form_page(request, user, {"active": True})


@router.post(NEW)
async def create(request: Request, user: PageUser, form: CheckedForm) -> Response:
    values = read_values(fields(), form)
    photo = await chosen_photo(form)
    try:
        await run_in_threadpool(with_session, request.app.state.engine, jathil.create_product, settings_of(request),
                                user, submitted(values), photo)
    except ApiError as error:
        if error.status != 422:
            raise
        return await run_in_threadpool(form_page, request, user, values, None, error)
    return redirect(f"{MINE}?pesan=ditambah")


@router.get(f"{MINE}/{{product_id}}")
def edit_form(request: Request, product_id: jathil.ProductIdPath, user: PageUser) -> Response:
    with db(request) as session:
        product = jathil.own_product(session, user, product_id)
    values = {name: getattr(product, name) for name in jathil.FIELDS}
    return form_page(request, user, values, product_id)


@router.post(f"{MINE}/{{product_id}}")
async def edit(request: Request, product_id: jathil.ProductIdPath, user: PageUser, form: CheckedForm) -> Response:
    values = read_values(fields(), form)
    # A stock left as the form showed it is not written: an order may have taken some since it was opened.
    keep = frozenset({"stock"}) if values["stock"] and values["stock"] == str(form.get(STOCK_SHOWN, "")) else frozenset()
    photo = await chosen_photo(form)
    try:
        await run_in_threadpool(with_session, request.app.state.engine, jathil.update_product, settings_of(request),
                                user, product_id, submitted(values), photo, True, keep)
    except ApiError as error:
        if error.status != 422:
            raise
        return await run_in_threadpool(form_page, request, user, values, product_id, error,
                                       str(form.get(STOCK_SHOWN, "")))
    return redirect(f"{MINE}?pesan=disimpan")


@router.get(f"{MINE}/{{product_id}}/foto")
def my_photo(request: Request, product_id: jathil.ProductIdPath, user: PageUser) -> Response:
    """The seller's own product photo, hidden products too (the public one is the API's)."""
    with db(request) as session:
        product = jathil.own_product(session, user, product_id)
    return jathil.photo_response(settings_of(request), product, public=False)
