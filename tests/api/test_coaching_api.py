"""coaching (Sijunjung) through the HTTP API with a real worker: a UMKM's request letter through all eight
steps with two officers (either may act, an officer not named may not), the disposition sheet and the
Surat Tugas as PDFs, the report to the applicant; letters the front office registers offline, and agenda
numbers without gaps under concurrent registrations."""

import asyncio
import io
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.config import Settings
from core.models import User
from core.models_agenda import agenda_numbers
from tests.api.conftest import Api, open_api
from tests.utils.factories import make_user
from tests.utils.histories import maybe_save_history
from tests.utils.jathil import png
from tests.utils.timeskip import mails_to
from tests.utils.waiting import eventually

START = "/api/v1/sops/coaching/cases"
AGENCY = "sijunjung"
_letters = itertools.count(1)


def request_letter(**overrides) -> dict:
    form = {"applicant_type": "umkm", "organization": "Keripik Sanjai Uni Ros",
            "letter_number": f"{next(_letters):02d}/KSR/VIII/2026", "letter_date": "2026-08-03",
            "subject": "Pembinaan pengemasan dan perizinan P-IRT keripik sanjai",
            "address": "Jl. Lintas Sumatera Km 3, Muaro Sijunjung", "phone": "0812-6600-1234"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def offline(**overrides) -> dict:
    body = {**request_letter(applicant_type="koperasi", organization="Koperasi Serba Usaha Saiyo Sakato",
                             legal_entity_number="AHU-0001234.AH.01.26.TAHUN 2021"),
            "on_behalf": {"name": "Bu Yusnimar", "phone": "0813-6300-4455", "address": "Nagari Sijunjung"},
            "channel": "surat"}
    del body["address"], body["phone"]  # filled from on_behalf
    body.update(overrides)
    return body


def year_now() -> int:
    return datetime.now(ZoneInfo("Asia/Jakarta")).year


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


async def ok(response, status: int = 200) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


async def staff(api: Api, role: str, name: str | None = None) -> tuple[User, dict[str, str]]:
    user = make_user(api.engine, role, AGENCY, name=name)
    return user, await api.login(user)


async def test_coaching_through_all_eight_steps_with_two_officers(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    front, front_h = await staff(api, "front_office", "Fitri Yanti")
    secretary, secretary_h = await staff(api, "sekretaris", "Drs. Syafrizal")
    head, head_h = await staff(api, "kepala_dinas", "Ir. Hendri Gunawan")
    back, back_h = await staff(api, "back_office", "Rahmat Hidayat")
    division, division_h = await staff(api, "kepala_bidang", "Nurhayati, S.E.")
    _, other_division_h = await staff(api, "kepala_bidang")
    section, section_h = await staff(api, "kasi", "Yulia Fitri, S.T.")
    first, first_h = await staff(api, "petugas", "Andi Saputra")
    second, second_h = await staff(api, "petugas", "Dewi Kartika Sari")
    _, bystander_h = await staff(api, "petugas")
    elsewhere = make_user(api.engine, "petugas", "jombang")

    refused = await api.http.post(START, json=request_letter(applicant_type="koperasi"), headers=applicant_h)
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["body", "legal_entity_number"]]

    case = await ok(await api.http.post(START, json=request_letter(), headers=applicant_h), 201)
    case_id = case["id"]
    assert [(s["step"], s["role"], s["assignee"]) for s in case["open_steps"]] == [("register", "front_office", None)]
    assert case["service_due_at"] is not None  # the whole service: 1 working day from the registration's opening

    assert (await api.decide(secretary_h, case_id, "register", "register")).status_code == 403
    case = await ok(await api.decide(front_h, case_id, "register", "register", data={"nature": "segera"}))
    agenda = f"1/{year_now()}"
    assert case["data"]["agenda_number"] == agenda and case["title"].startswith(agenda)
    assert [d["kind"] for d in case["documents"]] == ["lembar_disposisi"]  # read-your-writes
    first_sheet = pdf_text((await api.http.get(case["documents"][0]["url"], headers=front_h)).content)
    assert f"Nomor Agenda: {agenda}" in first_sheet and "Fitri Yanti" in first_sheet

    await ok(await api.decide(secretary_h, case_id, "advise", "advise",
                              data={"advice": "Layak dibina oleh Bidang Koperasi dan UKM"}))
    bad = await api.decide(head_h, case_id, "dispose", "dispose",
                           data={"kepala_bidang": section.email, "instruction": "Tindak lanjuti"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "data", "kepala_bidang"]
    case = await ok(await api.decide(head_h, case_id, "dispose", "dispose",
                                     data={"kepala_bidang": division.email, "instruction": "Segera bina, laporkan"}))
    assert case["data"]["kepala_bidang"]["name"] == "Nurhayati, S.E."
    await ok(await api.decide(back_h, case_id, "forward", "forward"))
    assert (await api.decide(other_division_h, case_id, "dispose_section", "dispose_section",
                             data={"kasi": section.id, "instruction": "x"})).status_code == 403
    await ok(await api.decide(division_h, case_id, "dispose_section", "dispose_section",
                              data={"kasi": section.id, "instruction": "Siapkan Surat Tugas dua petugas"}))

    outsider = await api.decide(section_h, case_id, "assign", "assign", data={
        "officers": [first.id, elsewhere.email], "coaching_date": "2026-08-05", "coaching_place": "Muaro"})
    assert outsider.status_code == 422 and outsider.json()["detail"][0]["loc"] == ["body", "data", "officers", 1]
    case = await ok(await api.decide(section_h, case_id, "assign", "assign", data={
        "officers": [first.id, second.email], "coaching_date": "2026-08-05",
        "coaching_place": "Rumah produksi Keripik Sanjai Uni Ros, Muaro Sijunjung"}))
    [coach] = case["open_steps"]
    assert coach["step"] == "coach" and coach["role"] == "petugas"
    assert {p["name"] for p in coach["assignees"]} == {"Andi Saputra", "Dewi Kartika Sari"}
    assert case["service_due_at"] is None  # the whole-service standard ends with the Surat Tugas
    number = f"800/1/ST/Dagperinkop-UKM/{year_now()}"
    assert case["data"]["surat_tugas_number"] == number
    for headers in (first_h, second_h):  # each officer finds it in their own inbox
        assert [t["case_id"] for t in await ok(await api.http.get("/api/v1/tasks", headers=headers))] == [case_id]
    assert await ok(await api.http.get("/api/v1/tasks", headers=bystander_h)) == []

    held = {"held_on": "2026-08-05", "venue": "Rumah produksi, Muaro Sijunjung",
            "participants": "Pemilik dan 4 karyawan", "material": "Pengemasan, label dan P-IRT"}
    assert (await api.decide(bystander_h, case_id, "coach", "coached", data=held)).status_code == 403
    photo = await api.http.post(f"/api/v1/cases/{case_id}/documents", headers=second_h, data={"kind": "foto_pembinaan"},
                                files={"file": ("kegiatan.png", png(), "image/png")})
    assert photo.status_code in (200, 201), photo.text
    case = await ok(await api.decide(second_h, case_id, "coach", "coached", data=held))
    assert case["data"]["photos"] == ["kegiatan.png"]
    assert (await api.decide(bystander_h, case_id, "report", "report",
                             data={"report": "x" * 20, "follow_up": "y" * 10})).status_code == 403
    case = await ok(await api.decide(first_h, case_id, "report", "report", data={
        "report": "Kemasan sudah diperbaiki; P-IRT sedang diurus.",
        "follow_up": "Pendampingan pengurusan P-IRT\nKunjungan ulang bulan depan"}))
    assert case["status"] == "completed"
    actors = {h["step"]: h["actor"] for h in case["history"] if h["step"] in ("coach", "report")}
    assert actors == {"coach": "Dewi Kartika Sari", "report": "Andi Saputra"}
    assign = next(h for h in case["history"] if h["step"] == "assign")
    assert assign["data"]["assignees"] == ["Andi Saputra", "Dewi Kartika Sari"]

    kinds = [d["kind"] for d in case["documents"]]
    assert kinds.count("lembar_disposisi") == 5  # the sheet after each of the five desks
    assert kinds.count("surat_tugas") == 1 and "laporan_hasil" in kinds
    sheets = [d for d in case["documents"] if d["kind"] == "lembar_disposisi"]
    sheet = pdf_text((await api.http.get(sheets[-1]["url"], headers=applicant_h)).content)
    for expected in (f"Nomor Agenda: {agenda}", "Segera", "Keripik Sanjai Uni Ros", "Fitri Yanti", "Drs. Syafrizal",
                     "Layak dibina oleh Bidang Koperasi dan UKM", "Ir. Hendri Gunawan", "Segera bina, laporkan",
                     "Rahmat Hidayat", "Nurhayati, S.E.", "Siapkan Surat Tugas dua petugas", "Yulia Fitri, S.T."):
        assert expected in sheet, expected
    letter = next(d for d in case["documents"] if d["kind"] == "surat_tugas")
    assignment = pdf_text((await api.http.get(letter["url"], headers=applicant_h)).content)
    for expected in (number, "Andi Saputra", "Dewi Kartika Sari", "Rabu, 5 Agustus 2026", "Muaro Sijunjung",
                     "Yulia Fitri, S.T.", agenda):
        assert expected in assignment, expected

    [mail] = await eventually(lambda: mails_to(mail_sink, applicant.email, "Laporan hasil pembinaan"))
    assert "Kunjungan ulang bulan depan" in mail["text"]
    [report] = mail["attachments"]
    assert report["content_type"] == "application/pdf"
    tracked = await ok(await api.http.get(f"/api/v1/track/{case['tracking_code']}"))
    assert tracked["details"]["agenda_number"] == agenda and "P-IRT" in tracked["details"]["report"]
    await maybe_save_history(api.temporal, case_id, "coaching-completed")


async def test_front_office_registers_letters_received_and_agenda_numbers_have_no_gaps(
        dev_env: WorkflowEnvironment, settings: Settings) -> None:
    """20 registrations at once: each draws its number, 1 to 20 for the year, none twice, none skipped."""
    async with open_api(dev_env, settings.model_copy(update={"temporal_timeout": 90.0})) as api:
        front, front_h = await staff(api, "front_office")
        _, umkm_h = await api.user("umkm")
        assert (await api.http.post(START, json=offline(), headers=umkm_h)).status_code == 422  # not theirs to use
        cases = [await ok(await api.http.post(START, json=offline(), headers=front_h), 201) for _ in range(20)]
        first = cases[0]
        assert first["applicant"] == {"id": None, "name": "Bu Yusnimar"}
        assert first["data"]["registered_by"]["id"] == front.id and first["data"]["channel"] == "surat"
        assert first["data"]["legal_entity_number"] == "AHU-0001234.AH.01.26.TAHUN 2021"
        # the front office started it, and still registers it in the agenda as its first step
        assert [(s["step"], s["role"]) for s in first["open_steps"]] == [("register", "front_office")]

        decided = await asyncio.gather(*(api.decide(front_h, c["id"], "register", "register") for c in cases))
        assert [r.status_code for r in decided] == [200] * 20, [r.text for r in decided if r.status_code != 200]
        year = year_now()
        numbers = sorted(int(r.json()["data"]["agenda_number"].split("/")[0]) for r in decided)
        assert numbers == list(range(1, 21))
        assert {r.json()["data"]["agenda_number"].split("/")[1] for r in decided} == {str(year)}
        assert agenda_numbers(api.engine, AGENCY, year) == list(range(1, 21))
