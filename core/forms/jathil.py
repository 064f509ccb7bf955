"""JATHIL MART (Kab. Ponorogo) forms: the vendor registration, with the seed's admission checks."""

from typing import Any, Literal

from pydantic import Field

from core.forms import Form
from core.identifiers import Email, MobilePhone, Nib, Nik

CATEGORIES = {
    "makanan_minuman": "Makanan dan minuman",
    "kerajinan": "Kerajinan",
    "fesyen": "Fesyen dan tekstil",
    "pertanian": "Hasil pertanian",
    "jasa": "Jasa",
    "lainnya": "Lainnya",
}
Category = Literal["makanan_minuman", "kerajinan", "fesyen", "pertanian", "jasa", "lainnya"]
PONOROGO = "Kabupaten Ponorogo"


class JathilVendorForm(Form):
    business_name: str = Field(min_length=1, max_length=200)
    owner_name: str = Field(min_length=1, max_length=200)
    nik: Nik
    address: str = Field(min_length=1, max_length=500)
    regency: str = Field(min_length=1, max_length=100)
    phone: MobilePhone
    email: Email
    category: Category
    nib: Nib | None = None
    iumk: str | None = Field(default=None, max_length=60)
    siup: str | None = Field(default=None, max_length=60)
    pirt: str | None = Field(default=None, max_length=60)
    not_repacker: bool
    not_reseller: bool

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        # Seed 000: Ponorogo businesses only, with legality, P-IRT for food, no re-packers or resellers.
        problems = []
        if raw.get("regency") and "ponorogo" not in str(raw["regency"]).lower():
            problems.append(("regency", "Hanya IKM/UMKM Kabupaten Ponorogo yang dapat mendaftar"))
        if not any(raw.get(k) for k in ("nib", "iumk", "siup")):
            problems.append(("nib", "Wajib memiliki legalitas usaha: isi NIB, IUMK atau SIUP"))
        if raw.get("category") == "makanan_minuman" and not raw.get("pirt"):
            problems.append(("pirt", "Usaha makanan dan minuman wajib memiliki sertifikat P-IRT"))
        if raw.get("not_repacker") is False:
            problems.append(("not_repacker", "Usaha re-packer produk pihak lain tidak dapat mendaftar"))
        if raw.get("not_reseller") is False:
            problems.append(("not_reseller", "Reseller tidak dapat mendaftar"))
        return problems
