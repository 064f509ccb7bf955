"""JATHIL MART products, shared by the JSON API (api.routes.jathil) and the pages (api.pages.jathil):
the product form, who may sell, the photo checks, creating and editing, the public catalogue, the photo.

Functions taking a session run in a worker thread (`service.with_session`), never on the event loop.
"""

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, func, select

from activities.notify import rupiah
from api.documents import Incoming, error, parse_json
from api.paging import Page, RowId, page_rows, paginate
from api.errors import ApiError
from core.config import Settings
from core.documents import MB, MSG_TYPE, DocumentRejected, check_upload, discard, store, stored_path, too_large_message
from core.forms import MESSAGES, Form, check, widget
from core.images import ImageUnreadable, without_metadata
from core.models import User, utcnow
from core.models_jathil import JathilProduct, approved_seller, business_names, seller_case
from workflows.jathil_vendor import CATEGORIES, Category

PHOTO_MAX_BYTES = 2 * MB
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
MULTIPART_SLACK = 64 * 1024  # the `data` field and the part headers around the photo
# Bounds that the schema states, so an absurd number is a 422, never a database error (int4 columns).
MAX_PRICE = 1_000_000_000  # Rp 1 miliar
MAX_STOCK = 1_000_000
MAX_WEIGHT = 1_000_000  # 1 ton, in grams
ProductIdPath = RowId  # 1..2**31-1: out of range is a 422

NOT_SELLER = ("Hanya penjual JATHIL MART yang pendaftarannya sudah disetujui yang dapat mengelola produk. "
              "Daftar melalui layanan Pendaftaran Penjual JATHIL MART.")
NOT_FOUND = "Produk tidak ditemukan"
PHOTO_MISSING = "Wajib diunggah: foto produk"
PHOTO_TYPE = "Foto produk harus berupa JPEG atau PNG"
PHOTO_BROKEN = "Foto tidak dapat dibaca: unggah berkas JPEG atau PNG yang utuh"
VENDOR_START = "/layanan/jathil-vendor/ajukan"

_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+")


def _whole(value: Any) -> Any:
    """A whole number; `true` is not one. Text as people write rupiah ("Rp 15.000") is read as 15000."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", MESSAGES["int_type"])
    if isinstance(value, str):
        text = re.sub(r"^rp\.?\s*", "", value.strip(), flags=re.IGNORECASE)
        return text.replace(".", "") if _GROUPED.fullmatch(text) else text
    return value


Whole = Annotated[int, BeforeValidator(_whole)]


class ProductForm(Form):
    """A JATHIL MART product as its seller writes it; the pages draw their fields from here."""

    name: str = Field(min_length=1, max_length=200, title="Nama produk")
    description: str = Field(min_length=1, max_length=2000, title="Deskripsi",
                             description="Bahan, ukuran, isi kemasan, cara penyimpanan",
                             json_schema_extra=widget("textarea"))
    category: Category = Field(title="Kategori")
    price: Whole = Field(gt=0, le=MAX_PRICE, title="Harga (Rp)", description="Rupiah per satuan, contoh 15000",
                         json_schema_extra=widget("digits"))
    stock: Whole = Field(ge=0, le=MAX_STOCK, title="Stok", description="Jumlah yang siap dijual")
    weight_grams: Whole = Field(gt=0, le=MAX_WEIGHT, title="Berat (gram)",
                                description="Berat per satuan beserta kemasan, untuk ongkos kirim")
    active: bool = Field(default=True, title="Tampilkan di katalog JATHIL MART",
                         description="Hapus centang untuk menyembunyikan produk tanpa menghapusnya")


FIELDS = tuple(ProductForm.model_fields)


class ProductFields(BaseModel):
    """What everyone sees of a product."""

    id: int
    name: str
    description: str
    category: str
    category_label: str
    price: int
    price_text: str
    stock: int
    weight_grams: int
    photo_url: str | None


class ProductView(ProductFields):
    """A product as its seller sees it."""

    active: bool
    listed: bool  # shown in the public catalogue now (active and in stock)
    created_at: datetime
    updated_at: datetime


class CatalogueItem(ProductFields):
    """What the public sees of a product: no personal data of the seller."""

    business_name: str


ProductPage = Page[ProductView]
CataloguePage = Page[CatalogueItem]


def photo_url(product: JathilProduct) -> str | None:
    if not product.photo_name:
        return None
    # The version changes with every edit, so a cached photo is never shown for a replaced one.
    return f"/api/v1/jathil/products/{product.id}/photo?v={int(product.updated_at.timestamp())}"


def product_view(product: JathilProduct) -> ProductView:
    return ProductView(
        id=product.id, name=product.name, description=product.description,  # type: ignore[arg-type]
        category=product.category, category_label=CATEGORIES.get(product.category, product.category),
        price=product.price, price_text=rupiah(product.price), stock=product.stock,
        weight_grams=product.weight_grams, active=product.active, listed=product.active and product.stock > 0,
        photo_url=photo_url(product), created_at=product.created_at, updated_at=product.updated_at,
    )


def catalogue_item(product: JathilProduct, business_name: str) -> CatalogueItem:
    return CatalogueItem(
        id=product.id, name=product.name, description=product.description,  # type: ignore[arg-type]
        category=product.category, category_label=CATEGORIES.get(product.category, product.category),
        price=product.price, price_text=rupiah(product.price), stock=product.stock,
        weight_grams=product.weight_grams, photo_url=photo_url(product), business_name=business_name,
    )


NEWEST = (col(JathilProduct.created_at).desc(), col(JathilProduct.id).desc())


# ---- sellers and their products ------------------------------------------------------------


def require_seller(session: Session, user: User) -> None:
    """403 unless the account's jathil-vendor case completed with `may_sell` (buyers, staff, applicants
    still waiting, sellers whose approval was withdrawn)."""
    if seller_case(session, user.id) is None:  # type: ignore[arg-type]
        raise ApiError(403, NOT_SELLER)


def own_product(session: Session, user: User, product_id: int) -> JathilProduct:
    """Another seller's product does not exist for this one: 404."""
    require_seller(session, user)
    product = session.get(JathilProduct, product_id)
    if product is None or product.seller_id != user.id:
        raise ApiError(404, NOT_FOUND)
    return product


def my_products(session: Session, user: User, page: int, per_page: int) -> ProductPage:
    require_seller(session, user)
    mine = select(JathilProduct).where(JathilProduct.seller_id == user.id)
    return paginate(session, mine, NEWEST, page, per_page, product_view, ProductPage)


def checked_photo(photo: Incoming | None, required: bool) -> tuple[tuple[bytes, str] | None, list[dict[str, Any]]]:
    """(content without metadata, content type), or the errors: JPEG or PNG by content, at most 2 MB."""
    if photo is None:
        return None, [error(("body", "photo"), PHOTO_MISSING, "missing")] if required else []
    try:
        checked = check_upload(photo.content, photo.filename, PHOTO_MAX_BYTES)
        if checked.content_type not in PHOTO_TYPES:
            raise DocumentRejected(PHOTO_TYPE)
        return (without_metadata(photo.content, checked.content_type), checked.content_type), []
    except DocumentRejected as rejected:
        message = str(rejected)
        return None, [error(photo.loc, PHOTO_TYPE if message == MSG_TYPE else message)]
    except ImageUnreadable:
        return None, [error(photo.loc, PHOTO_BROKEN)]


def create_product(session: Session, settings: Settings, user: User, body: Any,
                   photo: Incoming | None) -> ProductView:
    """Fields and photo are checked together (one 422 with every field path); nothing is stored before."""
    require_seller(session, user)
    checked = check(ProductForm, body)
    image, photo_errors = checked_photo(photo, required=True)
    if checked.errors or photo_errors:
        raise ApiError(422, checked.errors + photo_errors)
    content, content_type = image  # type: ignore[misc]
    stored = store(settings.upload_dir, content, PHOTO_TYPES[content_type])
    now = utcnow()
    product = JathilProduct(seller_id=user.id, **checked.data, photo_name=stored.stored_name,  # type: ignore[arg-type]
                            photo_type=content_type, created_at=now, updated_at=now)
    try:
        session.add(product)
        session.commit()
    except BaseException:
        discard(settings.upload_dir, stored.stored_name)
        raise
    session.refresh(product)
    return product_view(product)


def update_product(session: Session, settings: Settings, user: User, product_id: int, body: Any,
                   photo: Incoming | None, complete: bool = False, keep: frozenset[str] = frozenset()) -> ProductView:
    """Only the fields given change, so a stock an order reserved meanwhile is not written back; the
    photo, when given, replaces the old one, whose file is removed once the change is saved.

    The API sends a partial change. A page sends its whole form (`complete`): a field left empty there is
    missing, except those in `keep`, which it showed and did not change (they keep their current value)."""
    product = own_product(session, user, product_id)
    if not isinstance(body, dict):
        raise ApiError(422, [error(("body",), MESSAGES["dict_type"], "dict_type")])
    current = {name: getattr(product, name) for name in FIELDS if not complete or name in keep}
    body = {name: value for name, value in body.items() if name not in keep}
    checked = check(ProductForm, {**current, **body})
    image, photo_errors = checked_photo(photo, required=False)
    if checked.errors or photo_errors:
        raise ApiError(422, checked.errors + photo_errors)
    for name in body:
        setattr(product, name, checked.data[name])
    old_photo, stored = product.photo_name, None
    if image is not None:
        content, content_type = image
        stored = store(settings.upload_dir, content, PHOTO_TYPES[content_type])
        product.photo_name, product.photo_type = stored.stored_name, content_type
    product.updated_at = utcnow()
    try:
        session.add(product)
        session.commit()
    except BaseException:
        if stored is not None:
            discard(settings.upload_dir, stored.stored_name)
        raise
    if stored is not None and old_photo:
        discard(settings.upload_dir, old_photo)
    session.refresh(product)
    return product_view(product)


# ---- the public catalogue and the photo ----------------------------------------------------


def listed() -> Any:
    """Condition on JathilProduct: shown in the public catalogue."""
    return (col(JathilProduct.active).is_(True)) & (col(JathilProduct.stock) > 0) & approved_seller()


def catalogue(session: Session, category: str | None, q: str | None, page: int, per_page: int) -> CataloguePage:
    """Active, in-stock products of approved sellers, newest first; a category, a search in the name."""
    query = select(JathilProduct).where(listed())
    if category:
        query = query.where(JathilProduct.category == category)
    if q and q.strip():
        query = query.where(func.lower(JathilProduct.name).contains(q.strip().lower(), autoescape=True))
    rows, total = page_rows(session, query, NEWEST, page, per_page)
    names = business_names(session, {p.seller_id for p in rows})
    return CataloguePage(items=[catalogue_item(p, names.get(p.seller_id, "")) for p in rows], total=total, page=page,
                         per_page=per_page)


def listed_product(session: Session, product_id: int) -> CatalogueItem:
    product = session.exec(select(JathilProduct).where(JathilProduct.id == product_id, listed())).first()
    if product is None:
        raise ApiError(404, NOT_FOUND)
    return catalogue_item(product, business_names(session, {product.seller_id}).get(product.seller_id, ""))


def public_photo(session: Session, product_id: int) -> JathilProduct | None:
    """The product if its photo is public: active, of an approved seller (out of stock still shows)."""
    query = select(JathilProduct).where(JathilProduct.id == product_id, col(JathilProduct.active).is_(True),
                                        approved_seller())
    return session.exec(query).first()


def photo_for(session: Session, user: User | None, product_id: int) -> tuple[JathilProduct, bool]:
    """(product, public?): anyone sees a public photo; its seller sees their own hidden product's too."""
    product = public_photo(session, product_id)
    if product is not None:
        return product, True
    product = session.get(JathilProduct, product_id)
    if product is None or user is None or product.seller_id != user.id:
        raise ApiError(404, NOT_FOUND)
    return product, False


def photo_response(settings: Settings, product: JathilProduct, public: bool) -> FileResponse:
    """The photo as an image and nothing else: our detected type only, never sniffed, never a document
    that could run script, a fixed file name."""
    extension = PHOTO_TYPES.get(product.photo_type or "")
    if not product.photo_name or extension is None:
        raise ApiError(404, NOT_FOUND)
    path = stored_path(settings.upload_dir, product.photo_name)
    if not path.is_file():
        raise ApiError(404, NOT_FOUND)
    return FileResponse(path, media_type=product.photo_type, filename=f"jathil-produk-{product.id}.{extension}",
                        content_disposition_type="inline", headers={
                            "X-Content-Type-Options": "nosniff",
                            "Content-Security-Policy": "default-src 'none'; sandbox",
                            "Cache-Control": "public, max-age=300" if public else "private, no-store",
                        })


# ---- reading a request ---------------------------------------------------------------------


async def read_photo(upload: Any, loc: tuple[str, ...] = ("body", "photo")) -> Incoming:
    """A photo part, read up to one byte past the limit: enough to tell "too large"."""
    return Incoming(kind="photo", filename=upload.filename or "", content=await upload.read(PHOTO_MAX_BYTES + 1),
                    loc=loc)


async def product_body(request: Request) -> tuple[Any, Incoming | None]:
    """JSON, or multipart with the fields as JSON in `data` and the photo in `photo` (as case starts)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return parse_json(await request.body()), None
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > PHOTO_MAX_BYTES + MULTIPART_SLACK:
        raise ApiError(422, [error(("body", "photo"), too_large_message(PHOTO_MAX_BYTES))])
    async with request.form(max_files=1, max_fields=5) as form:
        raw, upload = form.get("data"), form.get("photo")
        body = parse_json(raw.encode() if isinstance(raw, str) else b"{}", ("body", "data"))
        photo = await read_photo(upload) if upload is not None and not isinstance(upload, str) else None
    return body, photo
