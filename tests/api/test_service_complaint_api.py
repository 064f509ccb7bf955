"""service-complaint through the HTTP API with a real worker: a complaint without an account through to a
rating, one registered offline from SP4N-LAPOR! with its receipt, `not_service`, and the guards of the
public start (401 for an SOP that is not public, the honeypot, the rate limit, who may register)."""

import itertools
import json
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.config import Settings
from core.models import Case
from tests.api.conftest import Api, open_api
from tests.utils.factories import PASSWORD, jathil_vendor_form
from tests.utils.histories import maybe_save_history
from tests.utils.jathil import png
from tests.utils.timeskip import mails_to
from tests.utils.waiting import eventually
from tests.web.conftest import csrf_of

START = "/api/v1/sops/service-complaint/cases"
_emails = itertools.count(1)


def complaint(**overrides) -> dict:
    form = {"agency": "jombang", "type": "pengaduan", "name": "Siti Aminah", "email": f"siti{next(_emails)}@contoh.id",
            "matter": "Petugas loket tidak ada di tempat pada jam layanan, Senin pukul 10.00."}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def offline(**overrides) -> dict:
    body = {"matter": "Surat permohonan fasilitasi sudah dua minggu belum ada kabar.", "type": "pengaduan",
            "on_behalf": {"name": "Pak Darmawan", "phone": "0812-7777-1234", "email": "darmawan@contoh.id",
                          "address": "Jl. Imam Bonjol 5, Muaro Sijunjung"},
            "channel": "sp4n_lapor", "lapor_number": "LPR-2026-88123"}
    body.update(overrides)
    return body


async def ok(response, status: int = 200) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


async def page_login(api: Api, email: str) -> None:
    """Logs the API's HTTP client in on the pages (the session cookie), as a browser would."""
    token = csrf_of((await api.http.get("/masuk")).text)
    response = await api.http.post("/masuk", data={"csrf": token, "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text


async def test_a_complaint_without_an_account_through_to_a_rating(api: Api, mail_sink: MailSink) -> None:
    officer, officer_h = await api.user("pengelola_pengaduan", "jombang")
    head_of_division, division_h = await api.user("kepala_bidang", "jombang")
    _, elsewhere_h = await api.user("pengelola_pengaduan", "sijunjung")
    form = complaint()
    case = await ok(await api.http.post(START, json=form), 201)  # no token
    assert case["agency"] == "jombang" and case["applicant"] == {"id": None, "name": "Siti Aminah"}
    assert case["data"]["channel"] == "web" and case["service_due_at"]
    assert [s["step"] for s in case["open_steps"]] == ["admin_check"]
    [receipt] = await eventually(lambda: mails_to(mail_sink, form["email"], "Pengaduan Anda diterima"))
    assert case["tracking_code"] in receipt["text"]
    assert (await api.http.get(f"/api/v1/cases/{case['id']}", headers=elsewhere_h)).status_code == 404

    await ok(await api.decide(officer_h, case["id"], "admin_check", "valid"))
    await ok(await api.decide(officer_h, case["id"], "coordinate", "forward",
                              data={"role": "kepala_bidang", "question": "Siapa petugas loket hari Senin?"}))
    inbox = (await api.http.get("/api/v1/tasks", headers=division_h)).json()
    assert [(t["case_id"], t["step"], t["role"]) for t in inbox] == [(case["id"], "input", "kepala_bidang")]
    back = await ok(await api.decide(division_h, case["id"], "input", "answer",
                                     data={"input": "Petugas sedang dinas luar; loket kini dijaga bergantian."}))
    assert [s["step"] for s in back["open_steps"]] == ["coordinate"]  # the input comes back to the officer
    noted = await ok(await api.decide(officer_h, case["id"], "coordinate", "external",
                                      data={"party": "Inspektorat", "outcome": "Diminta evaluasi jadwal loket"}))
    assert [c["kind"] for c in noted["data"]["coordination"]] == ["internal", "external"]
    assert [s["step"] for s in noted["open_steps"]] == ["coordinate"]  # still open
    await ok(await api.decide(officer_h, case["id"], "coordinate", "done"))
    answer = "Mohon maaf; mulai pekan ini loket dijaga bergantian sehingga selalu ada petugas."
    responded = await ok(await api.decide(officer_h, case["id"], "respond", "respond", data={"response": answer}))
    assert responded["service_due_at"] is None  # the 3-working-day standard ended with the response
    assert sorted(s["step"] for s in responded["open_steps"]) == ["rate", "resolve"]
    [mail] = await eventually(lambda: mails_to(mail_sink, form["email"], "Tanggapan atas pengaduan"))
    assert answer in mail["text"] and f"/lacak/{case['tracking_code']}" in mail["text"]

    tracked = await ok(await api.http.get(f"/api/v1/track/{case['tracking_code']}"))
    assert tracked["details"] == {"response": answer} and tracked["stage"] == "Penyelesaian"
    assert [s["step"] for s in tracked["applicant_steps"]] == ["rate"]
    rate = f"/api/v1/track/{case['tracking_code']}/decisions"
    bad = await api.http.post(rate, json={"step": "rate", "action": "rate", "data": {"rating": 6}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "data", "rating"]
    assert (await api.http.post(rate, json={"step": "resolve", "action": "resolved"})).status_code == 403
    rated = await ok(await api.http.post(rate, json={"step": "rate", "action": "rate",
                                                     "data": {"rating": 5, "comment": "Cepat ditanggapi"}}))
    assert rated["applicant_steps"] == [] and rated["status"] == "open"
    assert (await api.http.post(rate, json={"step": "rate", "action": "rate", "data": {"rating": 1}})).status_code == 409

    done = await ok(await api.decide(officer_h, case["id"], "resolve", "resolved",
                                     data={"resolution": "Jadwal piket loket diterbitkan dan diumumkan."}))
    assert (done["status"], done["stage"]) == ("completed", "Selesai")
    assert (done["data"]["rating"], done["data"]["comment"]) == (5, "Cepat ditanggapi")
    await eventually(lambda: mails_to(mail_sink, form["email"], "selesai ditangani"))
    await maybe_save_history(api.temporal, case["id"], "service-complaint-rated")
    assert officer.id and head_of_division.id


async def test_an_account_complains_online_and_the_case_waits_for_its_rating(api: Api) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, officer_h = await api.user("pengelola_pengaduan", "sijunjung")
    case = await ok(await api.http.post(START, json=complaint(agency="sijunjung", type="saran", email=None,
                                                              phone="0813-1111-2222"), headers=applicant_h), 201)
    assert case["applicant"]["id"] == applicant.id and case["agency"] == "sijunjung"
    for step, action, data in (("admin_check", "valid", None), ("coordinate", "done", None),
                               ("respond", "respond", {"response": "Terima kasih, saran Anda kami tampung."}),
                               ("resolve", "resolved", {"resolution": "Dibahas dalam rapat evaluasi layanan."})):
        view = await ok(await api.decide(officer_h, case["id"], step, action, data=data))
    assert view["status"] == "open" and view["stage"] == "Menunggu penilaian pelapor"
    tracked = await ok(await api.http.get(f"/api/v1/track/{case['tracking_code']}"))
    assert tracked["applicant_steps"] == []  # an account rates on its case, not by the code
    refused = await api.http.post(f"/api/v1/track/{case['tracking_code']}/decisions",
                                  json={"step": "rate", "action": "rate", "data": {"rating": 4}})
    assert refused.status_code == 403
    done = await ok(await api.decide(applicant_h, case["id"], "rate", "rate", data={"rating": 4}))
    assert done["status"] == "completed" and done["data"]["rating"] == 4
    await maybe_save_history(api.temporal, case["id"], "service-complaint-account-rated-late")


async def test_an_officer_registers_a_complaint_from_sp4n_lapor_and_prints_the_receipt(
        api: Api, mail_sink: MailSink) -> None:
    officer, officer_h = await api.user("pengelola_pengaduan", "sijunjung")
    missing = await api.http.post(START, json=offline(lapor_number=None, on_behalf={"name": "", "phone": "123"}),
                                  headers=officer_h)
    assert missing.status_code == 422
    locs = {tuple(e["loc"]) for e in missing.json()["detail"]}
    assert {("body", "lapor_number"), ("body", "on_behalf", "name"), ("body", "on_behalf", "phone"),
            ("body", "on_behalf", "address")} <= locs
    assert ("body", "name") not in locs  # the form's own name comes from on_behalf: one message, not two
    assert all(isinstance(e["msg"], str) and "Field" not in e["msg"] for e in missing.json()["detail"])
    not_lapor = await api.http.post(START, json=offline(channel="telepon"), headers=officer_h)
    assert not_lapor.status_code == 422 and not_lapor.json()["detail"] == [
        {"loc": ["body", "lapor_number"], "msg": "Hanya diisi untuk laporan dari SP4N-LAPOR!", "type": "admission"}]

    case = await ok(await api.http.post(START, json=offline(), headers=officer_h), 201)
    data = case["data"]
    assert case["agency"] == "sijunjung" and case["applicant"] == {"id": None, "name": "Pak Darmawan"}
    assert (data["channel"], data["lapor_number"]) == ("sp4n_lapor", "LPR-2026-88123")
    assert data["registered_by"] == {"id": officer.id, "name": officer.name}
    assert data["on_behalf"]["phone"] == "6281277771234" and data["name"] == "Pak Darmawan"
    with Session(api.engine) as session:
        assert session.get(Case, case["id"]).applicant_id is None
    await eventually(lambda: mails_to(mail_sink, "darmawan@contoh.id", case["tracking_code"]))

    await page_login(api, officer.email)
    receipt = await api.http.get(f"/kasus/{case['id']}/tanda-terima")
    assert receipt.status_code == 200
    for text in (case["tracking_code"], "Pak Darmawan", "SP4N-LAPOR!", "LPR-2026-88123", f"/lacak/{case['tracking_code']}"):
        assert text in receipt.text
    page = await api.http.get(f"/lacak/{case['tracking_code']}")
    assert page.status_code == 200 and "Cek administrasi" in page.text and "Pak Darmawan" not in page.text


async def test_not_service_closes_the_complaint_with_an_explanation(api: Api, mail_sink: MailSink) -> None:
    _, officer_h = await api.user("pengelola_pengaduan", "jombang")
    form = complaint(type="masukan", matter="Harga cabai di pasar terlalu mahal minggu ini, mohon diturunkan.")
    case = await ok(await api.http.post(START, json=form), 201)
    assert (await api.decide(officer_h, case["id"], "admin_check", "not_service")).status_code == 422  # no reason
    why = "Harga pasar bukan layanan Dinas Koperasi; silakan sampaikan ke Dinas Perdagangan."
    closed = await ok(await api.decide(officer_h, case["id"], "admin_check", "not_service", reason=why))
    assert (closed["status"], closed["stage"], closed["service_due_at"]) == ("rejected", "Bukan pengaduan layanan", None)
    [mail] = await eventually(lambda: mails_to(mail_sink, form["email"], "bukan pengaduan layanan"))
    assert why in mail["text"]
    assert (await ok(await api.http.get(f"/api/v1/track/{case['tracking_code']}")))["details"] == {"response": why}
    await maybe_save_history(api.temporal, case["id"], "service-complaint-not-service")


async def test_who_may_start_without_an_account_or_for_someone_else(api: Api) -> None:
    unauthorised = await api.http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form())
    assert unauthorised.status_code == 401 and unauthorised.headers["www-authenticate"] == "Bearer"
    bad_token = await api.http.post(START, json=complaint(), headers={"Authorization": "Bearer nonsense"})
    assert bad_token.status_code == 401  # a token that is given must be valid
    catalogue = {s["id"]: s for s in (await api.http.get("/api/v1/sops")).json()}
    assert catalogue["service-complaint"]["public"] and not catalogue["jathil-vendor"]["public"]
    assert catalogue["service-complaint"]["intake_staff_roles"] == ["pengelola_pengaduan"]

    _, clerk_h = await api.user("petugas", "jombang")
    refused = await api.http.post(START, json=offline(), headers=clerk_h)
    assert refused.status_code == 403 and refused.json()["detail"] == "Layanan ini tidak untuk peran Anda"
    _, umkm_h = await api.user("umkm")
    smuggled = await api.http.post(START, json={**complaint(), "channel": "surat"}, headers=umkm_h)
    assert smuggled.status_code == 422 and smuggled.json()["detail"][0]["loc"] == ["body", "channel"]
    _, other_h = await api.user("pengelola_pengaduan", "jatim")
    foreign = await api.http.post(START, json=offline(agency="jombang"), headers=other_h)
    assert foreign.status_code == 403 and "instansi Anda" in foreign.json()["detail"]
    no_such_case = await api.http.post(START, json=complaint(case_ref="ZZZZZZZZZZ"))
    assert no_such_case.status_code == 422 and no_such_case.json()["detail"][0]["loc"] == ["body", "case_ref"]
    no_contact = await api.http.post(START, json=complaint(email=None))
    assert no_contact.status_code == 422 and no_contact.json()["detail"][0]["loc"] == ["body", "phone"]


@pytest.fixture
async def strict_api(dev_env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Api]:
    async with open_api(dev_env, settings.model_copy(update={"public_starts_per_hour": 2})) as opened:
        yield opened


async def test_the_honeypot_and_the_rate_limit_keep_bots_out(strict_api: Api) -> None:
    trapped = await strict_api.http.post(START, json={**complaint(), "website": "http://spam.example"})
    assert trapped.status_code == 422 and trapped.json()["detail"][0]["loc"] == ["body", "website"]
    await ok(await strict_api.http.post(START, json=complaint()), 201)
    limited = await strict_api.http.post(START, json=complaint())
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 3600
    assert limited.json()["detail"].startswith("Terlalu banyak pengajuan dari alamat Anda")
    _, umkm_h = await strict_api.user("umkm")  # an account is not limited
    await ok(await strict_api.http.post(START, json=complaint(), headers=umkm_h), 201)


async def test_an_anonymous_complaint_may_carry_an_attachment(api: Api) -> None:
    files = {"lampiran": ("loket.png", png(), "image/png")}
    case = await ok(await api.http.post(START, data={"data": json.dumps(complaint())}, files=files), 201)
    [document] = case["documents"]
    assert (document["kind"], document["uploaded_by"]) == ("lampiran", "Siti Aminah")
