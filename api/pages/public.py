"""Pages without login: public tracking, and the development mailbox."""

from fastapi import Request
from fastapi.responses import Response

from activities.mailsink import read_mailbox
from api.pages.web import db, page_router, redirect, render, settings_of
from api.routes.cases import track
from api.service import ApiError

router = page_router()


@router.get("/lacak")
def track_form(request: Request, kode: str = "") -> Response:
    code = kode.strip().upper()
    if code.isalnum():
        return redirect(f"/lacak/{code}")
    error = "Nomor lacak hanya berisi huruf dan angka" if code else None
    return render(request, "track.html", status=422 if error else 200, code=kode, error=error)


@router.get("/lacak/{code}")
def tracking(request: Request, code: str) -> Response:
    """The public status, without names or personal data (tracking_view)."""
    try:
        with db(request) as session:
            view = track(tracking_code=code, session=session)
    except ApiError as error:
        return render(request, "track.html", status=error.status, code=code, error=error.detail)
    return render(request, "track.html", code=view.tracking_code, tracking=view)


@router.get("/dev/mail")
def dev_mail(request: Request) -> Response:
    """The local mail sink's messages (`alur dev`); absent outside development."""
    settings = settings_of(request)
    if not settings.is_dev:
        raise ApiError(404, "Halaman tidak ditemukan")
    return render(request, "dev_mail.html", mails=read_mailbox(settings.var_dir / "mail" / "mailbox.jsonl"))
