"""Roles and agencies: who may act, and which Dinas a case belongs to."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.calendar import OfficeHours

APPLICANT_ROLES = ("umkm", "pembeli")
STAFF_ROLES = (
    "admin_bidang", "admin_utama", "staf_galeri", "kurator", "satpel", "pjlp", "admin_eorder",
    "petugas", "front_office", "sekretaris", "kepala_dinas", "kepala_bidang", "kasi", "supervisor",
    "pengelola_pengaduan", "back_office",
)
ROLES = APPLICANT_ROLES + STAFF_ROLES
# The role a case's applicant holds when they have no account: someone a staff member registered from an
# offline channel, or who used a public form. No account has it: the API acts for them on their own steps
# through the case's tracking code (api.service.decide_by_tracking_code).
NO_ACCOUNT = "tanpa_akun"
# Where a case came in (case data `channel`): online through Alur, or registered by staff (api.intake).
INTAKE_CHANNELS = {
    "web": "Web (formulir daring)", "langsung": "Datang langsung", "surat": "Surat",
    "kotak_aduan": "Kotak aduan dan saran", "telepon": "Telepon", "whatsapp": "WhatsApp", "email": "E-mail",
    "sp4n_lapor": "SP4N-LAPOR!", "media_sosial": "Media sosial",
}

ROLE_TITLES = {
    "umkm": "Pelaku UMKM", "pembeli": "Pembeli", "admin_bidang": "Administrator Bidang",
    "admin_utama": "Administrator Utama", "staf_galeri": "Staf Galeri", "kurator": "Tenaga Ahli Kurasi",
    "satpel": "Satpel", "pjlp": "Admin/PJLP Pendamping", "admin_eorder": "Admin E-Order",
    "petugas": "Petugas", "front_office": "Front Office", "sekretaris": "Sekretaris",
    "kepala_dinas": "Kepala Dinas", "kepala_bidang": "Kepala Bidang", "kasi": "Kepala Seksi",
    "supervisor": "Supervisor", "pengelola_pengaduan": "Pejabat Pengelola Pengaduan", "back_office": "Back Office",
    NO_ACCOUNT: "Pemohon (tanpa akun)",
}


SP4N_LAPOR = "SP4N-LAPOR! (www.lapor.go.id)"


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    timezone: str = "Asia/Jakarta"  # Asia/Makassar (WITA) or Asia/Jayapura (WIT) outside western Indonesia
    office_hours: OfficeHours | None = None  # None: Mon-Fri 08:00-16:00
    ramadan_hours: OfficeHours | None = None
    # Where the public complains about the service (Indonesian lines, as the service standard publishes
    # them); ALUR_COMPLAINT_CHANNELS overrides them per agency.
    complaint_channels: tuple[str, ...] = ()


AGENCIES = {
    a.id: a
    for a in (
        Agency("ponorogo", "Dinas Perdagangan, Koperasi dan Usaha Mikro Kabupaten Ponorogo",
               complaint_channels=("Contact center JATHIL MART: 0823-1162-1100",)),
        Agency("jatim", "Dinas Koperasi dan UKM Provinsi Jawa Timur",
               complaint_channels=(SP4N_LAPOR,)),  # the seed names none: the national channel
        Agency("dki", "BPPBJ Provinsi DKI Jakarta",
               complaint_channels=("Bantuan aplikasi e-order (WhatsApp atau telepon): 0821-1915-7355",)),
        Agency("jombang", "Dinas Koperasi dan Usaha Mikro Kabupaten Jombang", complaint_channels=(
            "Tatap muka langsung dengan Pejabat Pengelola Pengaduan",
            "Kotak aduan dan saran",
            "Telepon: (0321) 8491519",
            "WhatsApp: 082139751135",
            "E-mail: dinkopum@jombangkab.go.id",
            SP4N_LAPOR,
            "Media sosial: facebook.com/profile.php?id=100067489682291, instagram.com/dinkopumjombang",
        )),
        Agency("sijunjung", "Dinas Dagperinkop UKM Kabupaten Sijunjung", complaint_channels=(
            "SP4N-LAPOR! melalui SMS 1708",
            "Aplikasi Android SP4N-LAPOR!",
            "Kotak pengaduan",
            "Dinas Dagperinkop UKM Kabupaten Sijunjung, Jl. Imam Bonjol No. 109, Muaro Sijunjung, telepon 0754-20044",
        )),
    )
}


def complaint_channels(agency: str, overrides: Mapping[str, Sequence[str]] | None = None) -> tuple[str, ...]:
    """The agency's complaint channels as published: the setting's lines when it names the agency."""
    configured = (overrides or {}).get(agency)
    if configured:
        return tuple(configured)
    found = AGENCIES.get(agency)
    return found.complaint_channels if found else ()


# How people name the zones agencies are in.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def agency_timezone(agency: str | None) -> str:
    """The agency's zone; an unknown or missing agency gets the default of the Agency record."""
    found = AGENCIES.get(agency or "")
    return found.timezone if found else Agency("", "").timezone


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
