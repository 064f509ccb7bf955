"""consultation (Jombang) test data: the request, its documents as a multipart start, a meeting time."""

import json
from datetime import datetime, timedelta, timezone

from tests.utils.gallery import JPEG, PDF

START = "/api/v1/sops/consultation/cases"
WIB = timezone(timedelta(hours=7))


def request_form(**overrides) -> dict:
    form = {"kind": "konsultasi", "business_name": "Keripik Singkong Bu Lastri", "district": "diwek",
            "business_address": "Jl. Raya Cukir No. 12, Diwek", "micro_business": True,
            "matter": "Kami ingin berkonsultasi tentang cara mengurus izin edar P-IRT dan pemasaran daring."}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def respondent(email: str | None = None) -> dict:
    found = {"name": "CV Sumber Rejeki", "address": "Jl. Merdeka 7, Jombang", "phone": "0321-861494"}
    return {**found, "email": email} if email else found


def multipart(body: dict) -> dict:
    """httpx keyword arguments of a start with both required documents (the letter as PDF, the KTP as JPEG)."""
    files = {"surat_permohonan": ("surat.pdf", PDF), "ktp": ("ktp.jpg", JPEG)}
    return {"data": {"data": json.dumps(body)},
            "files": [(kind, (name, content, "application/octet-stream")) for kind, (name, content) in files.items()]}


def meeting_at(days: int) -> str:
    """09:00 WIB `days` days from now, ISO with its offset."""
    moment = (datetime.now(WIB) + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return moment.isoformat()
