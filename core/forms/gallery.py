"""gallery-curation (Dinas Koperasi dan UKM Provinsi Jawa Timur, seed 001): the partnership request
and the forms of each step, with the document kinds and the facilitations a failed product is referred to."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from core.documents import DocumentKind
from core.forms import Form
from core.forms.jathil import Category

DOCUMENT_KINDS = (
    DocumentKind("ktp", "KTP", required=True),
    DocumentKind("nib", "NIB", required=True),
    DocumentKind("pirt", "Sertifikat P-IRT", required=True),
    DocumentKind("halal", "Sertifikat Halal"),
    DocumentKind("sni", "Sertifikat SNI"),
    DocumentKind("haccp", "Sertifikat HACCP"),
    DocumentKind("iso", "Sertifikat ISO"),
    DocumentKind("hki", "Sertifikat HKI/Merek"),
    DocumentKind("other", "Perizinan/sertifikat lain"),
)
DocumentKindId = Literal["ktp", "nib", "pirt", "halal", "sni", "haccp", "iso", "hki", "other"]
DOCUMENT_LABELS = {k.id: k.label for k in DOCUMENT_KINDS}

# Step 8 of the seed: the divisions a failed product is recommended to, each a referral case.
FACILITATIONS = {
    "halal": "Fasilitasi Sertifikasi Halal",
    "standards": "Standardisasi dan Sertifikasi (SNI/HACCP/ISO)",
    "ip": "Fasilitasi Pendaftaran Kekayaan Intelektual",
    "pirt": "Fasilitasi Perizinan P-IRT",
}
Facilitation = Literal["halal", "standards", "ip", "pirt"]
FOOD = "makanan_minuman"
Score = Annotated[int, Field(ge=1, le=5)]
JAKARTA = ZoneInfo("Asia/Jakarta")


def refuse(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose Indonesian message reaches the client verbatim."""
    return PydanticCustomError(kind, message)


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise refuse("duplicate", "Pilihan tidak boleh berulang")
    return values


def _listed(value: Any) -> Any:
    """The pages send a list as text, "ktp, nib"; the API sends a JSON list."""
    if isinstance(value, str):
        return [part.strip().lower() for part in value.split(",") if part.strip()]
    return value


Kinds = Annotated[list[DocumentKindId], BeforeValidator(_listed), AfterValidator(_distinct)]
SKU = re.compile(r"[A-Z0-9-]{3,32}")


class GalleryCurationForm(Form):
    """The partnership request. Checked by the API only: the expiry check reads today's date."""

    business_name: str = Field(min_length=1, max_length=200)
    product_name: str = Field(min_length=1, max_length=200)
    category: Category
    price: int = Field(gt=0)  # rupiah
    expiry_date: date | None = None
    specification: str = Field(min_length=1, max_length=2000)

    @field_validator("expiry_date")
    @classmethod
    def _not_expired(cls, value: date | None) -> date | None:
        if value is not None and value <= datetime.now(JAKARTA).date():
            raise refuse("expired", "Tanggal kedaluwarsa sudah lewat")
        return value

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if raw.get("category") == FOOD and not raw.get("expiry_date"):
            return [("expiry_date", "Produk makanan dan minuman wajib mencantumkan tanggal kedaluwarsa")]
        return []


class ReturnDocumentsForm(Form):
    """check_documents → return: which kinds must be uploaded again."""

    missing: Annotated[Kinds, Field(min_length=1)]


class SampleForm(Form):
    description: str = Field(min_length=1, max_length=1000)
    quantity: int = Field(ge=1)


class CurationForm(Form):
    packaging: Score
    label: Score  # label completeness
    taste_quality: Score
    price_competitiveness: Score
    legality: Score
    recommendation: Literal["pass", "fail"]
    notes: str = Field(default="", max_length=2000)
    missing_documents: Kinds = []

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if raw.get("recommendation") == "fail" and not str(raw.get("notes") or "").strip():
            return [("notes", "Tuliskan alasan produk tidak lolos kurasi")]
        return []


class ReferForm(Form):
    """refer: the facilitations the business needs; none is a valid answer."""

    facilitations: Annotated[list[Facilitation], BeforeValidator(_listed), AfterValidator(_distinct)] = []
    note: str = Field(default="", max_length=1000)


class DisplayForm(Form):
    sku: str
    stock: int = Field(ge=1)
    price: int = Field(gt=0)  # rupiah

    @field_validator("sku")
    @classmethod
    def _sku(cls, value: str) -> str:
        if not SKU.fullmatch(value.upper()):
            raise refuse("sku", "SKU 3–32 karakter: huruf, angka atau tanda hubung")
        return value.upper()


@dataclass
class Listing:
    """display → the catalogue entry the `display_product` activity writes."""

    case_id: str
    agency: str
    sku: str
    stock: int
    price: int
    product_name: str
    business_name: str
    category: str
    expiry_date: str | None = None  # ISO date


@dataclass
class Listed:
    product_id: int | None  # None: the SKU is taken by another product of the gallery
    barcode_type: str = ""
