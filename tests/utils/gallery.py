"""gallery-curation test data: the partnership request, small real files, the curation forms."""

import json
from datetime import date, timedelta

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
PHP = b"<?php system($_GET['c']); ?>\n"


def gallery_form(**overrides) -> dict:
    form = {
        "business_name": "Keripik Tempe Bu Sri",
        "product_name": "Keripik Tempe Original 200 g",
        "category": "makanan_minuman",
        "price": 15000,
        "expiry_date": (date.today() + timedelta(days=365)).isoformat(),  # always ahead
        "specification": "Tempe, minyak kelapa, bawang putih; kemasan standing pouch 200 g",
    }
    form.update(overrides)
    return form


def start_files(**extra: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The required documents (KTP as PDF, NIB as PNG, P-IRT as JPEG) plus `extra` kinds."""
    files = {"ktp": ("ktp.pdf", PDF), "nib": ("nib.png", PNG), "pirt": ("pirt.jpg", JPEG), **extra}
    return [(kind, (name, content, "application/octet-stream")) for kind, (name, content) in files.items()]


def multipart_start(form: dict | None = None, **files: tuple[str, bytes]) -> dict:
    """httpx keyword arguments of a multipart case start."""
    return {"data": {"data": json.dumps(form or gallery_form())}, "files": start_files(**files)}


def curation(recommendation: str = "pass", **overrides) -> dict:
    form = {"packaging": 4, "label": 4, "taste_quality": 5, "price_competitiveness": 4, "legality": 5,
            "recommendation": recommendation, "notes": ""}
    form.update(overrides)
    return form
