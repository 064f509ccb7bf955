"""E-order through the HTTP API: the DKI staff of the chain, and a supplier registered end to end."""

from dataclasses import dataclass

from core.models import User
from tests.api.conftest import Api
from tests.utils.factories import eorder_product, eorder_profile, make_user

VENDOR = "/api/v1/sops/eorder-vendor/cases"
PRODUCT = "/api/v1/sops/eorder-product/cases"
CATALOGUE = "/api/v1/catalogue/eorder"


@dataclass
class Staff:
    satpel: dict[str, str]
    pjlp_user: User
    pjlp: dict[str, str]
    admin: dict[str, str]


async def dki_staff(api: Api, skpd: str = "141732") -> Staff:
    """The Satpel and PJLP of one SKPD (users.unit), and the e-order admin of the whole agency."""
    satpel_user = make_user(api.engine, "satpel", "dki", unit=skpd)
    pjlp_user = make_user(api.engine, "pjlp", "dki", unit=skpd)
    _, admin = await api.user("admin_eorder", "dki")
    return Staff(await api.login(satpel_user), pjlp_user, await api.login(pjlp_user), admin)


async def ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 201), response.text
    return response.json()


async def start_vendor(api: Api, headers: dict[str, str], skpd: str = "141732", pkt: bool = False) -> dict:
    return await ok(await api.http.post(VENDOR, json={"skpd": skpd, "pkt": pkt}, headers=headers))


async def to_pjlp_check(api: Api, applicant: dict[str, str], staff: Staff, **profile) -> dict:
    """A registration with its profile confirmed and a PJLP assigned: Pengecekan PJLP."""
    case = await start_vendor(api, applicant)
    await ok(await api.decide(applicant, case["id"], "fill_profile", "confirm", data=eorder_profile(**profile)))
    return await ok(await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign",
                                     data={"pjlp": staff.pjlp_user.email}))


async def register_vendor(api: Api, applicant: dict[str, str], staff: Staff) -> dict:
    """The whole chain to Terdaftar."""
    case = await to_pjlp_check(api, applicant, staff)
    await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "confirm"))
    await ok(await api.decide(staff.satpel, case["id"], "satpel_check", "confirm"))
    return await ok(await api.decide(staff.admin, case["id"], "activate", "activate"))


async def start_product(api: Api, applicant: dict[str, str], **overrides) -> dict:
    return await ok(await api.http.post(PRODUCT, json=eorder_product(**overrides), headers=applicant))
