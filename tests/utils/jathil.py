"""JATHIL MART test data: approved sellers (a completed jathil-vendor case row), products, small real photos."""

import itertools
import json
import struct
import zlib
from typing import Any

from sqlalchemy.engine import Engine

from core.db import session_scope
from core.models import Case, User, utcnow

_cases = itertools.count(1)


def approve_seller(engine: Engine, user: User, business_name: str = "Keripik Tempe Bu Sri",
                   status: str = "completed") -> str:
    """Writes the projection row a completed jathil-vendor case leaves (the workflow's own path is
    tested in tests/api/test_jathil_vendor_api.py); returns its id."""
    n = next(_cases)
    case_id = f"jathil-vendor-2026-{900000 + n:06d}-{user.id}"
    now = utcnow()
    with session_scope(engine) as session:
        session.add(Case(
            id=case_id, sop="jathil-vendor", agency="ponorogo", tracking_code=f"JVT{user.id:05d}{n:06d}",
            applicant_id=user.id, applicant_name=user.name, title=business_name, status=status,  # type: ignore[arg-type]
            stage="Disetujui" if status == "completed" else "Verifikasi",
            data={"business_name": business_name, "may_sell": status == "completed"},
            created_at=now, updated_at=now, closed_at=now if status == "completed" else None,
        ))
        session.commit()
    return case_id


def set_case_status(engine: Engine, case_id: str, status: str) -> None:
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.status = status
        session.add(case)
        session.commit()


def product_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Keripik Tempe Original 200 g",
        "description": "Tempe kedelai, minyak kelapa, bawang putih; kemasan standing pouch 200 g.",
        "category": "makanan_minuman",
        "price": 15000,
        "stock": 24,
        "weight_grams": 250,
        "active": True,
    }
    form.update(overrides)
    return form


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(text: bytes = b"") -> bytes:
    """A real 1x1 PNG; `text` goes into a tEXt chunk (metadata that must not be published)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    extra = _chunk(b"tEXt", b"Comment\x00" + text) if text else b""
    return (b"\x89PNG\r\n\x1a\n" + header + extra + _chunk(b"IDAT", zlib.compress(b"\x00\xc8\x30\x30"))
            + _chunk(b"IEND", b""))


def exif(orientation: int, secret: bytes = b"") -> bytes:
    """An EXIF APP1 payload (little-endian) with the orientation and an extra ASCII tag holding `secret`
    (where a camera puts its serial number or GPS data)."""
    entries = [struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)]
    value = secret + b"\x00"
    data_offset = 8 + 2 + 12 * 2 + 4
    entries.append(struct.pack("<HHII", 0xA431, 2, len(value), data_offset))  # BodySerialNumber
    ifd = struct.pack("<H", len(entries)) + b"".join(entries) + struct.pack("<I", 0)
    return b"Exif\x00\x00" + b"II\x2a\x00" + struct.pack("<I", 8) + ifd + value


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(orientation: int | None = None, secret: bytes = b"", trailer: bytes = b"") -> bytes:
    """A JPEG's structure (SOI, JFIF, optional EXIF and comment, tables, a scan with stuffed bytes and a
    restart marker, EOI), then `trailer` appended after the image, as phones append a video."""
    parts = [b"\xff\xd8", _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    if orientation is not None:
        parts.append(_segment(0xE1, exif(orientation, secret)))
    if secret:
        parts.append(_segment(0xFE, b"comment " + secret))
    parts += [_segment(0xDB, b"\x00" + bytes(range(64))),
              _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
              _segment(0xC4, b"\x00" + b"\x00" * 15 + b"\x00"),
              _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
              b"\x12\xff\x00\x34\xff\xd0\x56", b"\xff\xd9", trailer]
    return b"".join(parts)


def multipart(form: dict[str, Any] | None = None, photo: tuple[str, bytes] | None = ("foto.png", png())) -> dict:
    """httpx keyword arguments of a multipart product body: `data` JSON and the `photo` part."""
    files = [("photo", (photo[0], photo[1], "application/octet-stream"))] if photo else []
    return {"data": {"data": json.dumps(product_form() if form is None else form)}, "files": files}


def add_product(engine: Engine, seller: User, price: int = 15000, stock: int = 24, name: str = "Keripik Tempe") -> int:
    """A product row of an approved seller (the API's own path is tested in test_jathil_products_api)."""
    from core.models_jathil import JathilProduct

    with session_scope(engine) as session:
        product = JathilProduct(seller_id=seller.id or 0, name=name, description="Tempe kedelai 200 g.",
                                category="makanan_minuman", price=price, stock=stock, weight_grams=250)
        session.add(product)
        session.commit()
        return product.id or 0


def order_form(product_id: int, qty: int = 2, payment: str = "cod", postal_code: str = "63411", **extra: Any) -> dict:
    return {"items": [{"product_id": product_id, "qty": qty}], "payment": payment,
            "shipping": {"recipient": "Budi Santoso", "phone": "0812-3456-7890", "address": "Jl. Batoro Katong 5",
                         "regency": "Kabupaten Ponorogo", "postal_code": postal_code}, **extra}


def stock_of(engine: Engine, product_id: int) -> int:
    from core.models_jathil import JathilProduct

    with session_scope(engine) as session:
        product = session.get(JathilProduct, product_id)
        assert product is not None
        return product.stock
