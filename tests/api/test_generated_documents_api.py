"""Generated documents through the engine, with real activities on the dev server and the API over HTTP:
a step's Surat Tugas is listed on the case, downloaded by its participants (and rendered again when its
file is lost), hidden from others; a scheduled meeting reaches the applicant and the respondent by e-mail
with its .ics (and the applicant the invitation letter)."""

import hashlib
import io

from icalendar import Calendar
from pypdf import PdfReader
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.config import Settings
from core.db import session_scope
from core.documents import stored_path
from core.models_gallery import Document
from core.roles import AGENCIES
from tests.api.conftest import open_api
from tests.utils import document_sop
from tests.utils.waiting import eventually
from workflows import REGISTRY


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


async def test_a_generated_surat_tugas_and_an_invitation_by_email(dev_env: WorkflowEnvironment, settings: Settings,
                                                                  mail_sink: MailSink) -> None:
    with REGISTRY.registered(document_sop.SOP):
        async with open_api(dev_env, settings) as api:
            applicant, applicant_h = await api.user("umkm")
            body = {"topic": "Timbangan pedagang", "respondent_email": "teradu@contoh.id"}
            started = await api.http.post("/api/v1/sops/document-test/cases", json=body, headers=applicant_h)
            assert started.status_code == 201, started.text
            case = started.json()
            case_id = case["id"]
            [listed] = case["documents"]  # read-your-writes: the case view lists it as it starts
            assert (listed["kind"], listed["kind_label"], listed["content_type"], listed["uploaded_by"]) == \
                ("surat_tugas", "Surat Tugas", "application/pdf", "Sistem")
            assert listed["filename"] == f"surat-tugas-{case_id}.pdf"
            assert [(e["step"], e["action"]) for e in case["history"]][-1] == ("documents", "generated")

            download = await api.http.get(listed["url"], headers=applicant_h)
            assert download.status_code == 200, download.text
            assert download.headers["content-type"] == "application/pdf"
            assert download.headers["content-disposition"].startswith("attachment")
            assert hashlib.sha256(download.content).hexdigest() == listed["sha256"]
            text = pdf_text(download.content)
            for expected in (document_sop.assignment_number(case["tracking_code"]), AGENCIES["ponorogo"].name.upper(),
                             *(o["name"] for o in document_sop.OFFICERS), "Klarifikasi: Timbangan pedagang"):
                assert expected in text, expected

            _, stranger_h = await api.user("umkm")
            assert (await api.http.get(listed["url"], headers=stranger_h)).status_code == 404
            _, elsewhere_h = await api.user("petugas", "jombang")
            assert (await api.http.get(listed["url"], headers=elsewhere_h)).status_code == 404
            officer, officer_h = await api.user("petugas", "ponorogo")
            staff_copy = await api.http.get(listed["url"], headers=officer_h)
            assert staff_copy.status_code == 200 and staff_copy.content == download.content

            with session_scope(api.engine) as session:
                stored_name = session.get(Document, listed["id"]).stored_name
            stored_path(settings.upload_dir, stored_name).unlink()  # lost: rendered again on demand
            again = await api.http.get(listed["url"], headers=applicant_h)
            assert again.status_code == 200 and again.content == download.content

            decided = await api.decide(officer_h, case_id, "schedule", "schedule",
                                       data={"starts_at": "2026-08-05T09:00:00+07:00", "place": "Ruang Rapat Dinas"})
            assert decided.status_code == 200, decided.text
            after = decided.json()
            assert after["status"] == "completed"
            assert [d["kind"] for d in after["documents"]] == ["surat_tugas", "undangan"]  # one row per kind and round
            letter = after["documents"][1]
            assert letter["kind_label"] == "Undangan"

            # the worker sends while it runs
            [mail] = await eventually(lambda: [m for m in mail_sink.messages() if m["to"] == applicant.email
                                               and m["subject"].startswith("Undangan")])
            ics, pdf = mail["attachments"]
            assert (ics["content_type"], ics["method"]) == ("text/calendar", "REQUEST")
            assert pdf["content_type"] == "application/pdf"
            assert pdf["sha256"] == letter["sha256"]
            [event] = Calendar.from_ical(ics["text"]).walk("VEVENT")
            start = event.decoded("DTSTART")
            assert start.isoformat() == "2026-08-05T09:00:00+07:00" and str(start.tzinfo) == "Asia/Jakarta"
            assert str(event["SUMMARY"]) == f"Klarifikasi {case['tracking_code']}"
            assert str(event["LOCATION"]) == "Ruang Rapat Dinas"
            assert str(event["ATTENDEE"]) == f"mailto:{applicant.email}"
            assert f"/kasus/{case_id}" in mail["text"]

            [respondent] = await eventually(lambda: [m for m in mail_sink.messages() if m["to"] == "teradu@contoh.id"
                                                     and case["tracking_code"] in m["subject"]])
            [only_ics] = respondent["attachments"]
            [event] = Calendar.from_ical(only_ics["text"]).walk("VEVENT")
            assert str(event["UID"]) == f"{case_id}.schedule.1@alur"
            assert str(event["ATTENDEE"]) == "mailto:teradu@contoh.id"
            assert "/kasus/" not in respondent["text"]  # no case page for someone without an account on it
