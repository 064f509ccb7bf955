"""gallery-curation pages: the start form with its documents, a case's documents (list, upload,
download), the public gallery catalogue and the printable price tag.

The steps' decisions are the case page's step forms (the actions' forms); everything goes through the same
service functions as the JSON API, so the checks and the Indonesian messages are the same.
"""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from activities.notify import environment as templates_in
from api import service
from api.deps import get_temporal
from api.documents import incoming
from api.service import add_document, document_file
from api.pages.fields import field_messages, fields_of, read_values, submitted
from api.pages.web import CheckedForm, PageUser, db, page_router, redirect, render, settings_of
from api.paging import RowId, page_number
from api.routes.gallery import catalogue_item, catalogue_page, product_or_404
from api.errors import ApiError
from core.barcodes import barcode_svg
from core.models import User
from workflows import SOPS
from workflows.gallery_curation import DEFINITION, DOCUMENT_KINDS, GalleryCurationForm
from workflows.jathil_vendor import CATEGORIES

router = page_router()
APPLY = f"/layanan/{DEFINITION.id}/ajukan"
PER_PAGE = 24
NOTICES = {"unggah": "Dokumen sudah diunggah."}
SAMPLE_NOTE = "Setelah berkas lengkap, serahkan sampel produk ke galeri; kurasi selesai dalam 3 hari kerja sejak sampel diterima."


# ---- the start form with its documents ----------------------------------------------------


def apply_page(request: Request, user: User, values: dict[str, Any], error: ApiError | None = None) -> Response:
    names = {f.name for f in fields_of(GalleryCurationForm)} | {k.id for k in DOCUMENT_KINDS}
    errors, general = field_messages(error.detail, names) if error else ({}, [])
    return render(request, "apply.html", status=error.status if error else 200, definition=DEFINITION,
                  fields=fields_of(GalleryCurationForm), kinds=DOCUMENT_KINDS, values=values, errors=errors, general=general,
                  allowed=user.role == "umkm", roles=("umkm",), action=APPLY, note=SAMPLE_NOTE)


@router.get(APPLY)
def apply_form(request: Request, user: PageUser) -> Response:
    return apply_page(request, user, {})


@router.post(APPLY)
async def apply(request: Request, user: PageUser, form: CheckedForm) -> Response:
    """Fields and files together: one page of messages when anything is wrong, nothing stored."""
    settings = settings_of(request)
    values = read_values(fields_of(GalleryCurationForm), form)
    files = [await incoming(value, name, ("body", name), settings)
             for name, value in form.multi_items() if isinstance(value, UploadFile) and value.filename]
    try:
        client = await get_temporal(request)
        case = await service.open_case(client, settings, request.app.state.engine, user, DEFINITION.id,
                                       submitted(values), files)
    except ApiError as error:
        if error.status == 404:
            raise
        return apply_page(request, user, values, error)
    return redirect(f"/kasus/{case.id}?pesan=diajukan")


# ---- a case's documents --------------------------------------------------------------------


def documents_page(request: Request, user: User, case_id: str, status: int = 200, notice: str | None = None,
                   error: ApiError | None = None) -> Response:
    with db(request) as session:
        view = service.visible_view(session, user, case_id)
    errors, general = field_messages(error.detail, {"kind", "file"}) if error else ({}, [])
    return render(request, "gallery_documents.html", status=status, case=view, kinds=SOPS[view.sop].documents,
                  notice=notice, errors=errors, general=general)


@router.get("/kasus/{case_id}/dokumen")
def documents(request: Request, case_id: str, user: PageUser, pesan: str = "") -> Response:
    return documents_page(request, user, case_id, notice=NOTICES.get(pesan))


@router.post("/kasus/{case_id}/dokumen")
async def upload(request: Request, case_id: str, user: PageUser, form: CheckedForm) -> Response:
    settings = settings_of(request)
    kind, file = str(form.get("kind") or ""), form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise ApiError(422, [{"loc": ["body", "file"], "msg": "Pilih berkas yang akan diunggah"}])
        client = await get_temporal(request)
        await add_document(client, settings, request.app.state.engine, user, case_id,
                           await incoming(file, kind, ("body", "file"), settings))
    except ApiError as error:
        if error.status == 404:
            raise
        return await run_in_threadpool(documents_page, request, user, case_id, error.status, error=error)
    return redirect(f"/kasus/{case_id}/dokumen?pesan=unggah")


@router.get("/kasus/{case_id}/dokumen/{document_id}")
def download(request: Request, case_id: str, document_id: RowId, user: PageUser) -> Response:
    with db(request) as session:
        return document_file(session, settings_of(request), user, case_id, document_id)


# ---- the public catalogue and the price tag ------------------------------------------------


@router.get("/galeri")
def gallery(request: Request, kategori: str = "", q: str = "", halaman: int = 1) -> Response:
    with db(request) as session:
        page = catalogue_page(session, kategori or None, q or None, None, page_number(halaman), PER_PAGE)
    return render(request, "gallery_catalogue.html", page=page, categories=CATEGORIES, kategori=kategori, q=q,
                  pages=-(-page.total // PER_PAGE))


def inline_svg(svg: str) -> Markup:
    """python-barcode's SVG without its XML prolog, to sit inside an HTML page (our own markup)."""
    return Markup(svg[svg.index("<svg"):])


@router.get("/galeri/produk/{product_id}/label")
def price_tag(request: Request, product_id: RowId) -> Response:
    """A printable price tag: name, price as "Rp 15.000", the barcode."""
    with db(request) as session:
        product = product_or_404(session, product_id)
    html = templates_in("documents").get_template("price_tag.html").render(
        item=catalogue_item(product), barcode=inline_svg(barcode_svg(product.sku, product.barcode_type)))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
