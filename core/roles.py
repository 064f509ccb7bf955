"""Roles and agencies: who may act, and which Dinas a case belongs to."""

from dataclasses import dataclass

from core.calendar import OfficeHours

APPLICANT_ROLES = ("umkm", "pembeli")
STAFF_ROLES = (
    "admin_bidang", "admin_utama", "staf_galeri", "kurator", "satpel", "pjlp", "admin_eorder",
    "petugas", "front_office", "sekretaris", "kepala_dinas", "kepala_bidang", "kasi", "supervisor",
)
ROLES = APPLICANT_ROLES + STAFF_ROLES

ROLE_TITLES = {
    "umkm": "Pelaku UMKM", "pembeli": "Pembeli", "admin_bidang": "Administrator Bidang",
    "admin_utama": "Administrator Utama", "staf_galeri": "Staf Galeri", "kurator": "Tenaga Ahli Kurasi",
    "satpel": "Satpel", "pjlp": "Admin/PJLP Pendamping", "admin_eorder": "Admin E-Order",
    "petugas": "Petugas", "front_office": "Front Office", "sekretaris": "Sekretaris",
    "kepala_dinas": "Kepala Dinas", "kepala_bidang": "Kepala Bidang", "kasi": "Kepala Seksi",
    "supervisor": "Supervisor",
}


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    timezone: str = "Asia/Jakarta"  # Asia/Makassar (WITA) or Asia/Jayapura (WIT) outside western Indonesia
    office_hours: OfficeHours | None = None  # None: Mon-Fri 08:00-16:00
    ramadan_hours: OfficeHours | None = None


AGENCIES = {
    a.id: a
    for a in (
        Agency("ponorogo", "Dinas Perdagangan, Koperasi dan Usaha Mikro Kabupaten Ponorogo"),
        Agency("jatim", "Dinas Koperasi dan UKM Provinsi Jawa Timur"),
        Agency("dki", "BPPBJ Provinsi DKI Jakarta"),
        Agency("jombang", "Dinas Koperasi dan Usaha Mikro Kabupaten Jombang"),
        Agency("sijunjung", "Dinas Dagperinkop UKM Kabupaten Sijunjung"),
    )
}


def is_staff(role: str) -> bool:
    return role in STAFF_ROLES


def check_role_agency(role: str, agency: str | None) -> None:
    """Staff belong to exactly one agency; applicants to none."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    if is_staff(role) and agency not in AGENCIES:
        raise ValueError(f"staff need an agency; one of: {', '.join(AGENCIES)}")
    if not is_staff(role) and agency:
        raise ValueError("applicants (umkm, pembeli) have no agency")
