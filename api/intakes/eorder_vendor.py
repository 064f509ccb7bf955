"""eorder-vendor: a verified UMKM account names its SKPD Pembina and PKT flag; one registration per account."""

from typing import Any

from sqlmodel import Session, col, select

from api.intakes import Intake, IntakeRefused
from core.forms.eorder import VendorStart
from core.models import Case, User
from core.models_eorder import find_skpd
from workflows.eorder_vendor import DEFINITION


def registration_of(session: Session, user: User) -> Case | None:
    """The account's registration that is still running or done (a refused one does not count)."""
    query = select(Case).where(Case.sop == DEFINITION.id, Case.applicant_id == user.id,
                               col(Case.status).in_(("open", "completed")))
    return session.exec(query.order_by(col(Case.created_at).desc())).first()


def prepare(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    skpd = find_skpd(session, DEFINITION.agency, data["skpd"])
    if skpd is None:
        raise IntakeRefused.bad_field("skpd", "Kode SKPD Pembina tidak dikenal; pilih dari daftar SKPD")
    if (existing := registration_of(session, user)) is not None:
        raise IntakeRefused(409, f"Akun ini sudah memiliki pendaftaran penyedia e-order ({existing.id})")
    return {**data, "skpd": skpd.code, "skpd_name": skpd.name}


INTAKE = Intake(sop=DEFINITION.id, form=VendorStart, roles=("umkm",), prepare=prepare,
                title=lambda data: f"Penyedia {'PKT' if data['pkt'] else 'Non-PKT'} · SKPD {data['skpd']}")
