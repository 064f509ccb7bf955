"""Users and form data for tests."""

import itertools

from sqlalchemy.engine import Engine

from core.models import User
from core.users import create_user

PASSWORD = "rahasia-123"
_counter = itertools.count(1)


def make_user(engine: Engine, role: str, agency: str | None = None, name: str | None = None, **extra) -> User:
    n = next(_counter)
    return create_user(
        engine, email=f"{role}{n}@contoh.id", name=name or f"{role.replace('_', ' ').title()} {n}", role=role,
        agency=agency, password=PASSWORD, **extra,
    )


def jathil_vendor_form(**overrides) -> dict:
    form = {
        "business_name": "Keripik Tempe Bu Sri",
        "owner_name": "Sri Wahyuni",
        "nik": "3502014107850001",
        "address": "Jl. Soekarno Hatta 12, Ponorogo",
        "regency": "Kabupaten Ponorogo",
        "phone": "0812-3456-7890",
        "email": "sri@contoh.id",
        "category": "makanan_minuman",
        "nib": "1234567890123",
        "pirt": "2063502010123-25",
        "not_repacker": True,
        "not_reseller": True,
    }
    form.update(overrides)
    return form


def eorder_profile(**overrides) -> dict:
    profile = {
        "business_name": "Ayam Geprek Bu Indah",
        "owner_name": "Indah Lestari",
        "nik": "3171015708450001",
        "phone": "0821-1915-7355",
        "email": "indah@contoh.id",
        "address": "Jl. Kramat Raya 45, Jakarta Pusat",
        "category": "makanan_minuman",
        "nib": "9120001234567",
        "pkp": False,
        "bank_name": "Bank DKI",
        "bank_account": "101-23-45678",
    }
    profile.update(overrides)
    return profile


def eorder_product(**overrides) -> dict:
    product = {
        "name": "Nasi kotak ayam geprek",
        "description": "Nasi, ayam geprek sambal bawang, lalapan; dikemas kotak kertas.",
        "category": "makanan_minuman",
        "unit": "kotak",
        "price": 25000,
        "min_order": 20,
        "tkdn": 85.5,
    }
    product.update(overrides)
    return product
