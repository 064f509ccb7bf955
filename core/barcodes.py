"""Barcodes for price tags: EAN-13 when the SKU is a valid EAN-13 number, Code 128 otherwise."""

import io

import barcode
from barcode.writer import SVGWriter
from stdnum import ean

EAN13 = "ean13"
CODE128 = "code128"


def barcode_type(sku: str) -> str:
    # python-barcode silently replaces a wrong EAN check digit; only a valid one is printed as EAN-13.
    return EAN13 if len(sku) == 13 and ean.is_valid(sku) else CODE128


def barcode_svg(sku: str, kind: str | None = None) -> str:
    """An SVG barcode with the human-readable code under the bars."""
    symbol = barcode.get(kind or barcode_type(sku), sku, writer=SVGWriter())
    out = io.BytesIO()
    symbol.write(out, options={"module_height": 12.0, "font_size": 8, "text_distance": 4.0, "quiet_zone": 4.0})
    return out.getvalue().decode()
