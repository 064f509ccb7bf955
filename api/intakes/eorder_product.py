"""eorder-product: only a registered e-order supplier (its eorder-vendor case Terdaftar) adds a product."""

from typing import Any

from sqlmodel import Session

from api.intakes import Intake, IntakeRefused
from api.intakes.eorder_vendor import registration_of
from core.forms.eorder import Product
from core.models import User
from workflows.eorder_product import DEFINITION


def prepare(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    registration = registration_of(session, user)
    if registration is None or registration.status != "completed":
        raise IntakeRefused(403, "Hanya penyedia yang sudah Terdaftar di e-order yang dapat mendaftarkan produk")
    vendor = registration.data
    # The PJLP who checked the registration also checks its products, in the registration's agency.
    return {**data, "supplier": vendor["business_name"], "vendor_case": registration.id, "pjlp": vendor["pjlp"]}


INTAKE = Intake(sop=DEFINITION.id, form=Product, roles=("umkm",), prepare=prepare,
                title=lambda data: data["name"], agency=lambda data: data["pjlp"]["agency"])
