"""Generated documents (activities/generated.py, core/generated.py) and e-mail attachments, on a SQLite
file, the upload folder and the mail sink: one row per key however often the activity runs, a lost file
rendered again byte for byte, invitations and documents attached to e-mails and left out of WhatsApp."""

import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.generated import GeneratedDocumentActivities
from activities.mailsink import MailSink
from activities.notify import NotifyActivities
from core.config import Settings
from core.db import session_scope
from core.documents import stored_path
from core.generated import document_bytes, restore
from core.messages import Attachment, DocumentRequest, Invitation, Notice, Recipients
from core.models import Case
from core.models_gallery import Document
from tests.utils.factories import make_user
from tests.utils.gateway import Gateway
from tests.utils.waiting import eventually

AT = datetime(2026, 8, 3, 2, tzinfo=timezone.utc)
STARTS = datetime(2026, 8, 5, 9, tzinfo=timezone(timedelta(hours=7)))


def add_case(engine: Engine, agency: str = "ponorogo") -> str:
    applicant = make_user(engine, "umkm")
    case_id = f"uji-2026-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        session.add(Case(id=case_id, sop="throwaway", agency=agency, tracking_code=uuid.uuid4().hex[:10].upper(),
                         applicant_id=applicant.id, applicant_name=applicant.name, status="open", stage="Uji"))
        session.commit()
    return case_id


def request(case_id: str, kind: str = "surat_tugas", round_: int = 1, **context) -> DocumentRequest:
    return DocumentRequest(
        case_id=case_id, kind=kind, template=kind, key=f"{case_id}/{kind}#{round_}",
        filename=f"{kind}-{case_id}.pdf", at=AT,
        context={"agency": "ponorogo", "case_id": case_id, "date": AT.isoformat(), "number": f"800/{round_}/2026",
                 "officers": [{"name": "Dewi Kartika"}], **context},
    )


def rows(engine: Engine, case_id: str) -> list[Document]:
    with session_scope(engine) as session:
        return list(session.exec(select(Document).where(Document.case_id == case_id).order_by(Document.id)))


async def generate(settings: Settings, engine: Engine, message: DocumentRequest):
    return await ActivityEnvironment().run(GeneratedDocumentActivities(settings, engine).generate_document, message)


async def test_a_retried_generation_records_one_row_and_one_file(settings: Settings, engine: Engine) -> None:
    case_id = add_case(engine)
    first = await generate(settings, engine, request(case_id))
    again = await generate(settings, engine, request(case_id))  # the activity retried, or the workflow replayed
    assert again == first
    [row] = rows(engine, case_id)
    assert (row.kind, row.template, row.content_type, row.uploaded_by, row.uploaded_by_name) == \
        ("surat_tugas", "surat_tugas", "application/pdf", None, "Sistem")
    assert row.context["number"] == "800/1/2026" and row.uploaded_at == AT
    content = stored_path(settings.upload_dir, row.stored_name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == row.sha256 == first.sha256 and len(content) == row.size
    assert "Dewi Kartika" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert list(settings.upload_dir.iterdir()) == [stored_path(settings.upload_dir, row.stored_name)]  # no leftovers

    second = await generate(settings, engine, request(case_id, round_=2))  # the next round: its own document
    assert second.stored_name != first.stored_name and len(rows(engine, case_id)) == 2


async def test_a_lost_file_is_rendered_again_byte_for_byte(settings: Settings, engine: Engine) -> None:
    case_id = add_case(engine)
    upload = await generate(settings, engine, request(case_id))
    path = stored_path(settings.upload_dir, upload.stored_name)
    original = path.read_bytes()
    path.unlink()
    assert document_bytes(settings.upload_dir, engine, upload.stored_name) == original
    path.unlink()
    [row] = rows(engine, case_id)
    assert restore(settings.upload_dir, row) and path.read_bytes() == original
    path.unlink()
    assert await generate(settings, engine, request(case_id)) == upload  # a retry puts the file back too
    assert path.read_bytes() == original


async def test_an_upload_whose_file_is_lost_stays_lost(settings: Settings, engine: Engine) -> None:
    upload = Document(case_id=add_case(engine), kind="ktp", filename="ktp.pdf", stored_name=f"{uuid.uuid4().hex}.pdf",
                      sha256="0" * 64, size=1, content_type="application/pdf")
    assert not restore(settings.upload_dir, upload)
    with pytest.raises(FileNotFoundError):
        document_bytes(settings.upload_dir, engine, f"{uuid.uuid4().hex}.pdf")


async def test_an_unknown_template_fails_for_good(settings: Settings, engine: Engine) -> None:
    message = request(add_case(engine))
    message.template = "tidak_ada"
    with pytest.raises(ApplicationError) as error:
        await generate(settings, engine, message)
    assert error.value.non_retryable and rows(engine, message.case_id) == []


def meeting(case_id: str) -> Invitation:
    return Invitation(uid=f"{case_id}.schedule.1@alur", starts_at=STARTS, ends_at=STARTS + timedelta(hours=2),
                      summary="Klarifikasi pengaduan", location="Ruang Rapat Dinas, Lt. 2")


async def test_an_email_carries_the_invitation_and_the_document_and_whatsapp_neither(
        settings: Settings, engine: Engine, mail_sink: MailSink, gateway: Gateway) -> None:
    settings = settings.model_copy(update={"whatsapp_url": gateway.url, "whatsapp_token": "rahasia"})
    case_id = add_case(engine)
    letter = await generate(settings, engine, request(case_id, kind="undangan", to={"name": "Toko Maju"},
                                                      starts_at=STARTS.isoformat(), place="Ruang Rapat Dinas"))
    stored_path(settings.upload_dir, letter.stored_name).unlink()  # lost: rendered again for the e-mail
    person = make_user(engine, "umkm", name="Siti Aminah", phone="0812-3456-7890")
    notice = Notice(key=f"{case_id}/schedule#1/cancelled", case_id=case_id, template="cancelled",
                    recipients=Recipients(user_ids=[person.id]),
                    context={"case_id": case_id, "agency": "ponorogo", "tracking_code": "KT7W9QX2MA"},
                    attachments=[Attachment.ics(meeting(case_id)), Attachment.document(letter)])
    assert await ActivityEnvironment().run(NotifyActivities(settings, engine).send_notice, notice) == 2

    [mail] = await eventually(lambda: [m for m in mail_sink.messages() if m["to"] == person.email])
    ics, pdf = mail["attachments"]
    assert (ics["filename"], ics["content_type"], ics["method"]) == ("undangan.ics", "text/calendar", "REQUEST")
    assert (pdf["filename"], pdf["content_type"], pdf["sha256"]) == (letter.filename, "application/pdf", letter.sha256)
    assert "Yth. Siti Aminah" in mail["text"]  # the text is still the notice's
    calendar = Calendar.from_ical(ics["text"])
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == STARTS and str(event.decoded("DTSTART").tzinfo) == "Asia/Jakarta"
    assert str(event["LOCATION"]) == "Ruang Rapat Dinas, Lt. 2" and str(event["SUMMARY"]) == "Klarifikasi pengaduan"
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}" and event["ATTENDEE"].params["CN"] == "Siti Aminah"
    assert str(event["ORGANIZER"]) == f"mailto:{parseaddr(settings.mail_from)[1]}"
    [sent] = gateway.received  # WhatsApp: the text only
    assert b"undangan" not in sent.body.lower() and b"BEGIN:VCALENDAR" not in sent.body


async def test_a_notice_without_attachments_is_a_plain_email(settings: Settings, engine: Engine,
                                                             mail_sink: MailSink) -> None:
    person = make_user(engine, "umkm")
    notice = Notice(key=f"plain-{uuid.uuid4().hex}/x#1/cancelled", case_id="", template="cancelled",
                    recipients=Recipients(user_ids=[person.id]), context={"tracking_code": "X"})
    assert await ActivityEnvironment().run(NotifyActivities(settings, engine).send_notice, notice) == 1
    [mail] = await eventually(lambda: [m for m in mail_sink.messages() if m["to"] == person.email])
    assert mail["attachments"] == [] and mail["text"]
