"""E-order (BPPBJ DKI Jakarta) forms: the registration start, the supplier profile, a product."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from core.forms import Form
from core.identifiers import Email, MobilePhone, Nib, Nik

CATEGORIES = {
    "makanan_minuman": "Makanan dan minuman",
    "alat_tulis_kantor": "Alat tulis kantor",
    "kerajinan": "Kerajinan dan suvenir",
    "fesyen": "Fesyen dan tekstil",
    "kebersihan": "Perlengkapan kebersihan",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}
Category = Literal["makanan_minuman", "alat_tulis_kantor", "kerajinan", "fesyen", "kebersihan", "jasa", "lainnya"]
MSG_BANK_ACCOUNT = "Nomor rekening harus 5 sampai 20 digit angka"


def _bank_account(value: str) -> str:
    digits = re.sub(r"[\s.\-]", "", value)
    if not re.fullmatch(r"[0-9]{5,20}", digits):
        raise PydanticCustomError("bank_account", MSG_BANK_ACCOUNT)
    return digits


BankAccount = Annotated[str, AfterValidator(_bank_account)]


class VendorStart(Form):
    """Sign-up for e-order: the SKPD Pembina and the PKT programme flag."""

    skpd: str = Field(min_length=1, max_length=20, title="SKPD Pembina")
    pkt: bool = Field(title="Peserta PKT")


class VendorProfile(Form):
    """The supplier profile the applicant completes and the PJLP may correct."""

    business_name: str = Field(min_length=1, max_length=200, title="Nama usaha")
    owner_name: str = Field(min_length=1, max_length=200, title="Nama pemilik")
    nik: Nik = Field(title="NIK pemilik")
    phone: MobilePhone = Field(title="No. handphone")
    email: Email = Field(title="Alamat e-mail")
    address: str = Field(min_length=1, max_length=500, title="Alamat usaha")
    category: Category = Field(title="Kategori usaha")
    nib: Nib = Field(title="NIB (izin usaha)")
    pkp: bool = Field(title="Pengusaha Kena Pajak (PKP)")
    bank_name: str = Field(min_length=1, max_length=100, title="Nama bank")
    bank_account: BankAccount = Field(title="Nomor rekening")


class Product(Form):
    """A product offered in the e-order catalogue; price in whole rupiah."""

    name: str = Field(min_length=1, max_length=200, title="Nama produk")
    description: str = Field(min_length=1, max_length=2000, title="Deskripsi")
    category: Category = Field(title="Kategori")
    unit: str = Field(min_length=1, max_length=30, title="Satuan")
    price: int = Field(gt=0, le=1_000_000_000_000, title="Harga (Rp)")
    min_order: int = Field(ge=1, le=1_000_000, title="Pemesanan minimum")
    tkdn: float | None = Field(default=None, ge=0, le=100, title="TKDN (%)")
