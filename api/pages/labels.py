"""Indonesian labels for what the pages show: statuses, history actions, roles, agencies."""

from typing import Any

from api.views import step_title
from core.dashboard import DASHBOARD_ROLES
from core.messages import CaseStatus
from core.roles import AGENCIES, ROLE_TITLES, is_staff
from workflows import REGISTRY, SOPS
from workflows.sop import APPLICANT

STATUS_LABELS = {CaseStatus.OPEN: "Dalam proses", CaseStatus.COMPLETED: "Selesai", CaseStatus.REJECTED: "Ditolak",
                 CaseStatus.CANCELLED: "Dibatalkan"}

# History actions common to every SOP; an SOP's own actions fall back to its Action.label.
ACTION_LABELS = {
    "submitted": "Diajukan", "forward": "Diteruskan", "return": "Dikembalikan", "reject": "Ditolak",
    "approve": "Disetujui", "resubmit": "Dikirim ulang", "reminder": "Pengingat", "escalation": "Eskalasi",
    "escalation2": "Eskalasi kedua", "upload": "Dokumen diunggah", "generated": "Dokumen dibuat",
    "cancel": "Dibatalkan",
    # task ownership and supervisors' actions (issue 13)
    "claim": "Diambil", "release": "Dilepaskan", "reassign": "Dialihkan", "delegated": "Didelegasikan",
    "remind": "Pengingat dikirim ulang",
    # e-order
    "save": "Disimpan", "confirm": "Dikonfirmasi", "edit": "Dikoreksi", "assign": "Pendamping ditunjuk",
    "process": "Diproses", "activate": "Diaktifkan",
    # gallery-curation, written by the workflow itself
    "passed": "Lolos kurasi", "failed": "Tidak lolos kurasi", "sku_taken": "SKU sudah dipakai",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def sop_action_label(sop: str, action: str) -> str | None:
    definition = SOPS.get(sop)
    for step in definition.steps if definition else ():
        match = step.action(action)
        if match:
            return match.label
    return None


def action_label(sop: str, action: str) -> str:
    """'Disetujui' for a history entry; the SOP's button label, else the raw id, for the rest."""
    return ACTION_LABELS.get(action) or sop_action_label(sop, action) or action.replace("_", " ").capitalize()


def role_title(role: str | None) -> str:
    if role == APPLICANT:
        return "Pemohon"
    return ROLE_TITLES.get(role or "", role or "")


def agency_name(agency: str | None) -> str:
    found = AGENCIES.get(agency or "")
    return found.name if found else (agency or "")


def standard_url(sop: str) -> str | None:
    """The public page of the SOP's service standard, when it publishes one."""
    module = REGISTRY.get(sop)
    return f"/layanan/{sop}/standar" if module is not None and module.standard is not None else None


def as_globals() -> dict[str, Any]:
    return {"status_label": status_label, "action_label": action_label, "role_title": role_title,
            "agency_name": agency_name, "is_staff": is_staff, "step_title": step_title, "STATUS_LABELS": STATUS_LABELS, "SOPS": SOPS,
            "standard_url": standard_url, "DASHBOARD_ROLES": DASHBOARD_ROLES}
