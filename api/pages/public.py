"""Pages without login: public tracking, the service standard of each SOP, and the development mailbox."""

from fastapi import Request
from fastapi.responses import Response

from activities.mailsink import read_mailbox
from api.pages.intake import tracking_page
from api.pages.web import db, page_router, redirect, render, settings_of
from api.queries import tracked
from api.routes.sops import sop_out
from api.errors import ApiError
from workflows import REGISTRY

router = page_router()


@router.get("/lacak")
def track_form(request: Request, kode: str = "") -> Response:
    code = kode.strip().upper()
    if code.isalnum():
        return redirect(f"/lacak/{code}")
    error = "Nomor lacak hanya berisi huruf dan angka" if code else None
    return render(request, "track.html", status=422 if error else 200, code=kode, error=error)


TRACK_NOTICES = {
    "diterima": "Terima kasih, kiriman Anda sudah kami terima. Simpan nomor lacak ini untuk memantau "
                "tindak lanjutnya.",
    "keputusan": "Terima kasih, isian Anda sudah tersimpan.",
}


@router.get("/lacak/{code}")
def tracking(request: Request, code: str, pesan: str = "") -> Response:
    """The public status, without names or personal data (tracking_view); what the SOP shows to the
    holder of the code (a complaint's response), and the applicant's own steps when they have no account."""
    try:
        with db(request) as session:
            view = tracked(session, code)
    except ApiError as error:
        return render(request, "track.html", status=error.status, code=code, error=error.detail)
    return tracking_page(request, view, notice=TRACK_NOTICES.get(pesan))


NO_STANDARD = "Standar pelayanan layanan ini belum diterbitkan"


@router.get("/layanan/{sop}/standar")
def service_standard(request: Request, sop: str) -> Response:
    """The SOP's published service standard (Permenpan RB 15/2014), the same as the API's `standard`."""
    published = sop_out(sop, settings_of(request))  # 404 for an unknown SOP
    if published.standard is None:
        raise ApiError(404, NO_STANDARD)
    module = REGISTRY[sop]
    start = (module.start_page or f"/layanan/{sop}/ajukan") if module in REGISTRY.startable() else None
    return render(request, "standard.html", sop=published, standard=published.standard, start=start)


@router.get("/dev/mail")
def dev_mail(request: Request) -> Response:
    """The local mail sink's messages (`alur dev`); absent outside development."""
    settings = settings_of(request)
    if not settings.is_dev:
        raise ApiError(404, "Halaman tidak ditemukan")
    return render(request, "dev_mail.html", mails=read_mailbox(settings.var_dir / "mail" / "mailbox.jsonl"))
