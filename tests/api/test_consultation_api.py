"""consultation (Jombang) through the HTTP API with a real worker: a consultation end to end with an
incomplete file completed by the applicant; a dispute registered by an officer, both parties invited by
e-mail with the .ics, one reschedule (the same UID, SEQUENCE raised; no second `tidak_hadir`), and the
Laporan Hasil PDF; a respondent without e-mail gets a printable invitation letter; the start's rules."""

import io
import itertools
from datetime import datetime, timedelta

from icalendar import Calendar
from pypdf import PdfReader

from activities.mailsink import MailSink
from tests.api.conftest import Api
from tests.utils.consultation import START, WIB, meeting_at, multipart, request_form, respondent
from tests.utils.gallery import JPEG
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import mails_to
from tests.utils.waiting import eventually

_emails = itertools.count(1)


async def ok(response, status: int = 200) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


async def document(api: Api, headers: dict, case: dict, kind: str, n: int = -1) -> tuple[dict, str]:
    listed = [d for d in case["documents"] if d["kind"] == kind][n]
    download = await api.http.get(listed["url"], headers=headers)
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    return listed, pdf_text(download.content)


def invitation_of(mail: dict) -> tuple[dict, object]:
    [ics] = [a for a in mail["attachments"] if a["content_type"] == "text/calendar"]
    assert ics["method"] == "REQUEST"
    [event] = Calendar.from_ical(ics["text"]).walk("VEVENT")
    return ics, event


async def test_a_consultation_end_to_end(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    officer, officer_h = await api.user("petugas", "jombang")
    _, elsewhere_h = await api.user("petugas", "sijunjung")
    case = await ok(await api.http.post(START, headers=applicant_h, **multipart(request_form())), 201)
    case_id = case["id"]
    assert (case["agency"], case["stage"], case["data"]["channel"]) == ("jombang", "Pemeriksaan Berkas", "web")
    assert case["service_due_at"] and sorted(d["kind"] for d in case["documents"]) == ["ktp", "surat_permohonan"]
    assert [(s["step"], s["role"]) for s in case["open_steps"]] == [("check_file", "petugas")]
    assert (await api.http.get(f"/api/v1/cases/{case_id}", headers=elsewhere_h)).status_code == 404
    inbox = (await api.http.get("/api/v1/tasks", headers=officer_h)).json()
    assert [(t["case_id"], t["step"]) for t in inbox] == [(case_id, "check_file")]

    no_reason = await api.decide(officer_h, case_id, "check_file", "incomplete", data={"missing": ["ktp"]})
    assert no_reason.status_code == 422
    returned = await ok(await api.decide(officer_h, case_id, "check_file", "incomplete",
                                         reason="Fotokopi KTP tidak terbaca", data={"missing": ["ktp"]}))
    [revise] = returned["open_steps"]
    assert (revise["step"], revise["assignee"]["id"]) == ("revise", applicant.id)
    [mail] = await eventually(lambda: mails_to(mail_sink, applicant.email, "perlu dilengkapi"))
    assert "Fotokopi KTP" in mail["text"] and "Fotokopi KTP tidak terbaca" in mail["text"]
    assert (await api.decide(officer_h, case_id, "revise", "resubmit")).status_code == 403  # the applicant's
    early = await api.decide(applicant_h, case_id, "revise", "resubmit")
    assert early.status_code == 422 and "Fotokopi KTP" in early.json()["detail"][0]["msg"]
    upload = await api.http.post(f"/api/v1/cases/{case_id}/documents", headers=applicant_h,
                                 data={"kind": "ktp"}, files={"file": ("ktp-baru.jpg", JPEG, "image/jpeg")})
    assert upload.status_code == 201, upload.text
    again = await ok(await api.decide(applicant_h, case_id, "revise", "resubmit"))
    assert [s["step"] for s in again["open_steps"]] == ["check_file"]

    complete = await ok(await api.decide(officer_h, case_id, "check_file", "complete"))
    assert [s["step"] for s in complete["open_steps"]] == ["consult"] and complete["stage"] == "Konsultasi"
    later = (datetime.now(WIB) + timedelta(days=2)).date().isoformat()
    given = {"held_on": later, "topics": "Perizinan P-IRT; pemasaran daring",
             "advice": "Ikuti penyuluhan keamanan pangan Dinas Kesehatan; daftarkan produk di katalog daring."}
    future = await api.decide(officer_h, case_id, "consult", "consult", data=given)
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "data", "held_on"]
    given["held_on"] = datetime.now(WIB).date().isoformat()
    consulted = await ok(await api.decide(officer_h, case_id, "consult", "consult", data=given))
    assert [s["step"] for s in consulted["open_steps"]] == ["report"]

    conclusion = "Pemohon telah mendapat arahan perizinan P-IRT dan pemasaran daring."
    done = await ok(await api.decide(officer_h, case_id, "report", "report", data={"conclusion": conclusion}))
    assert (done["status"], done["stage"], done["service_due_at"]) == ("completed", "Selesai", None)
    assert done["data"]["outcome"] == "konsultasi" and done["data"]["consultation"]["topics"] == given["topics"]
    listed, text = await document(api, applicant_h, done, "laporan_hasil")
    assert listed["kind_label"] == "Laporan Hasil" and listed["filename"] == f"laporan-hasil-{case_id}.pdf"
    for expected in (case_id, case["tracking_code"], "Konsultasi diberikan", "Perizinan P-IRT", conclusion,
                     "Pemeriksaan kelengkapan berkas", "Berkas belum lengkap", "Kirim ulang berkas", officer.name):
        assert expected in text, expected
    [report] = await eventually(lambda: mails_to(mail_sink, applicant.email, "Laporan hasil"))
    [attached] = report["attachments"]
    assert attached["content_type"] == "application/pdf" and attached["sha256"] == listed["sha256"]
    await maybe_save_history(api.temporal, case_id, "consultation-konsultasi")


async def test_a_dispute_registered_by_an_officer_with_one_reschedule(api: Api, mail_sink: MailSink) -> None:
    officer, officer_h = await api.user("petugas", "jombang")
    person_email, respondent_email = f"darmini{next(_emails)}@contoh.id", f"cv{next(_emails)}@contoh.id"
    body = request_form(kind="pengaduan", respondent=respondent(respondent_email),
                        matter="CV Sumber Rejeki belum membayar 300 bungkus keripik yang dikirim bulan lalu.")
    body.update(on_behalf={"name": "Bu Darmini", "phone": "0812-3456-7890", "email": person_email,
                           "address": "Dusun Cukir RT 2, Diwek"}, channel="surat")
    case = await ok(await api.http.post(START, headers=officer_h, **multipart(body)), 201)
    case_id, code = case["id"], case["tracking_code"]
    assert case["applicant"] == {"id": None, "name": "Bu Darmini"}
    assert all(d["uploaded_by"] == officer.name for d in case["documents"])  # scanned by the officer
    await ok(await api.decide(officer_h, case_id, "check_file", "complete"))

    naive = await api.decide(officer_h, case_id, "schedule", "schedule",
                             data={"starts_at": meeting_at(3)[:16], "place": "Ruang Rapat Dinas"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["msg"].startswith("Sertakan zona waktu")
    past = await api.decide(officer_h, case_id, "schedule", "schedule",
                            data={"starts_at": "2020-01-06T09:00:00+07:00", "place": "Ruang Rapat Dinas"})
    assert past.status_code == 422 and past.json()["detail"][0]["msg"] == "Waktu pertemuan harus setelah saat ini"
    first = meeting_at(3)
    scheduled = await ok(await api.decide(officer_h, case_id, "schedule", "schedule",
                                          data={"starts_at": first, "place": "Ruang Rapat Dinas Koperasi"}))
    [step] = scheduled["open_steps"]
    assert step["step"] == "facilitate" and step["actions"] == ["sepakat", "tidak_sepakat", "tidak_hadir"]
    assert not [d for d in scheduled["documents"] if d["kind"] == "undangan"]  # both parties have e-mail
    uids = set()
    for address, party in ((person_email, "pemohon"), (respondent_email, "termohon")):
        [mail] = await eventually(lambda a=address: mails_to(mail_sink, a, "Undangan pertemuan fasilitasi"))
        _, event = invitation_of(mail)
        assert event.decoded("DTSTART") == datetime.fromisoformat(first)
        assert str(event["LOCATION"]) == "Ruang Rapat Dinas Koperasi" and int(event["SEQUENCE"]) == 0
        assert str(event["ATTENDEE"]) == f"mailto:{address}" and code in str(event["SUMMARY"])
        assert f"sebagai {party}" in mail["text"] and "/kasus/" not in mail["text"]  # no account: no case page
        uids.add(str(event["UID"]))
    assert len(uids) == 1

    absent = {"minutes": "Termohon tidak hadir tanpa keterangan.", "absent": "termohon"}
    back = await ok(await api.decide(officer_h, case_id, "facilitate", "tidak_hadir", data=absent))
    assert [s["step"] for s in back["open_steps"]] == ["schedule"]
    second = meeting_at(5)
    again = await ok(await api.decide(officer_h, case_id, "schedule", "schedule",
                                      data={"starts_at": second, "place": "Aula Dinas Koperasi"}))
    [step] = again["open_steps"]
    assert step["actions"] == ["sepakat", "tidak_sepakat"]  # rescheduled once: no second tidak_hadir
    for address in (person_email, respondent_email):
        [mail] = await eventually(lambda a=address: mails_to(mail_sink, a, "Jadwal baru"))
        _, event = invitation_of(mail)
        assert str(event["UID"]) in uids and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == datetime.fromisoformat(second)
    refused = await api.decide(officer_h, case_id, "facilitate", "tidak_hadir", data=absent)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "action"]

    agreed = {"minutes": "Kedua pihak hadir dan bermusyawarah.",
              "terms": "Termohon melunasi Rp 4.500.000 paling lambat 30 hari sejak pertemuan."}
    facilitated = await ok(await api.decide(officer_h, case_id, "facilitate", "sepakat", data=agreed))
    assert facilitated["data"]["outcome"] == "sepakat" and len(facilitated["data"]["meetings"]) == 2
    done = await ok(await api.decide(officer_h, case_id, "report", "report",
                                     data={"conclusion": "Sengketa selesai dengan kesepakatan pelunasan."}))
    assert done["status"] == "completed"
    _, text = await document(api, officer_h, done, "laporan_hasil")
    for expected in (case_id, "Sepakat", "Termohon melunasi Rp 4.500.000", "CV Sumber Rejeki", "Tidak hadir: Termohon",
                     "Aula Dinas Koperasi", "Penjadwalan pertemuan pemohon dan termohon"):
        assert expected in text, expected
    [report] = await eventually(lambda: mails_to(mail_sink, person_email, "Laporan hasil"))
    assert "Sepakat" in report["subject"] and report["attachments"][0]["content_type"] == "application/pdf"
    await maybe_save_history(api.temporal, case_id, "consultation-dispute-agreed")


async def test_a_respondent_without_email_gets_a_printable_letter(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, officer_h = await api.user("petugas", "jombang")
    body = request_form(kind="pengaduan", respondent=respondent(),
                        matter="Pemasok bahan baku mengirim singkong busuk dan menolak mengganti.")
    case = await ok(await api.http.post(START, headers=applicant_h, **multipart(body)), 201)
    case_id = case["id"]
    await ok(await api.decide(officer_h, case_id, "check_file", "complete"))
    when = meeting_at(4)
    scheduled = await ok(await api.decide(officer_h, case_id, "schedule", "schedule",
                                          data={"starts_at": when, "place": "Balai Desa Cukir"}))
    letter, text = await document(api, officer_h, scheduled, "undangan")
    assert letter["kind_label"] == "Undangan" and letter["filename"] == f"undangan-termohon-{case_id}-1.pdf"
    for expected in ("CV Sumber Rejeki", "Jl. Merdeka 7, Jombang", "Balai Desa Cukir", "09.00 WIB", case_id):
        assert expected in text, expected
    assert scheduled["data"]["invitation_letters"] == [letter["filename"]]
    [mail] = await eventually(lambda: mails_to(mail_sink, applicant.email, "Undangan pertemuan fasilitasi"))
    _, event = invitation_of(mail)
    assert str(event["ATTENDEE"]) == f"mailto:{applicant.email}" and f"/kasus/{case_id}" in mail["text"]

    await ok(await api.decide(officer_h, case_id, "facilitate", "tidak_sepakat",
                              data={"minutes": "Termohon menolak mengganti bahan baku.",
                                    "recommendation": "Pemohon dapat mengajukan gugatan sederhana ke Pengadilan Negeri."}))
    done = await ok(await api.decide(officer_h, case_id, "report", "report",
                                     data={"conclusion": "Tidak tercapai kesepakatan.", "follow_up": "Pendampingan."}))
    _, text = await document(api, applicant_h, done, "laporan_hasil")
    assert case_id in text and "Tidak sepakat" in text and "gugatan sederhana" in text
    await maybe_save_history(api.temporal, case_id, "consultation-dispute-disagreed")


async def test_the_start_checks_the_requirements(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    missing = await api.http.post(START, headers=applicant_h, json=request_form(kind="pengaduan"))  # no files
    assert missing.status_code == 422
    locs = {tuple(e["loc"]): e["msg"] for e in missing.json()["detail"]}
    assert {("body", "respondent"), ("body", "surat_permohonan"), ("body", "ktp")} <= set(locs)
    assert locs[("body", "respondent")].startswith("Wajib diisi untuk pengaduan")
    elsewhere = await api.http.post(START, headers=applicant_h, **multipart(request_form(
        district="ponorogo", micro_business=False, respondent=respondent())))
    locs = {tuple(e["loc"]): e["msg"] for e in elsewhere.json()["detail"]}
    assert elsewhere.status_code == 422 and set(locs) == {("body", "district"), ("body", "micro_business"),
                                                          ("body", "respondent")}
    assert locs[("body", "micro_business")] == "Layanan ini untuk pelaku usaha mikro"
    assert locs[("body", "respondent")] == "Hanya diisi untuk pengaduan"
    bad_phone = await api.http.post(START, headers=applicant_h, **multipart(request_form(
        kind="pengaduan", respondent={**respondent(), "phone": "tidak ada"})))
    assert bad_phone.status_code == 422
    assert bad_phone.json()["detail"][0]["loc"] == ["body", "respondent", "phone"]
    _, other_h = await api.user("petugas", "ponorogo")
    offline = {**request_form(), "on_behalf": {"name": "Pak Karno", "phone": "081234567890", "address": "Jombang"},
               "channel": "langsung"}
    foreign = await api.http.post(START, headers=other_h, **multipart(offline))
    assert foreign.status_code == 403  # an officer registers for their own agency only
    catalogue = {s["id"]: s for s in (await api.http.get("/api/v1/sops")).json()}
    entry = catalogue["consultation"]
    assert entry["agency"] == "jombang" and entry["intake_staff_roles"] == ["petugas"]
    assert entry["applicant_roles"] == ["umkm"] and not entry["public"]
    standard = entry["standard"]
    assert standard["time"] == "5 hari kerja" and standard["cost"] == "Gratis (tidak dipungut biaya)"
    assert any("Fotokopi KTP" in line for line in standard["requirements"])
    assert any("Kepala Dinas" in line for line in standard["requirements"])
    assert any("usaha mikro Kabupaten Jombang" in line for line in standard["requirements"])
