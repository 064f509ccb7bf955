"""eorder-vendor through the HTTP API with a real worker on the Temporal dev server."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from activities.mailsink import MailSink
from tests.api.conftest import Api
from tests.utils.eorder import VENDOR, dki_staff, ok, register_vendor, start_vendor, to_pjlp_check
from tests.utils.factories import eorder_profile
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def steps(case: dict) -> list[str]:
    return [s["step"] for s in case["open_steps"]]


async def test_happy_path_to_terdaftar(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)

    case = await start_vendor(api, applicant_h)
    assert (case["stage"], steps(case), case["agency"]) == ("Pengisian Data", ["fill_profile"], "dki")
    assert case["open_steps"][0]["assignee"]["id"] == applicant.id
    assert case["data"]["skpd_name"] == "Badan Pelayanan Pengadaan Barang/Jasa"

    draft = eorder_profile()
    saved = await ok(await api.decide(applicant_h, case["id"], "fill_profile", "save",
                                      data={k: draft[k] for k in ("business_name", "phone")}))
    assert saved["stage"] == "Pengisian Data" and saved["data"]["business_name"] == "Ayam Geprek Bu Indah"
    rest = {k: v for k, v in draft.items() if k not in ("business_name", "phone")}
    confirmed = await ok(await api.decide(applicant_h, case["id"], "fill_profile", "confirm", data=rest))
    assert confirmed["stage"] == "Penunjukan Pembina" and steps(confirmed) == ["assign_pjlp"]
    assert confirmed["data"]["phone"] == "6282119157355" and confirmed["data"]["bank_account"] == "1012345678"

    non_pkt = (await api.http.get("/api/v1/tasks", params={"queue": "Non-PKT"}, headers=staff.satpel)).json()
    assert [t["case_id"] for t in non_pkt] == [case["id"]]
    assert (await api.http.get("/api/v1/tasks", params={"queue": "PKT"}, headers=staff.satpel)).json() == []
    assert non_pkt[0]["case_title"] == confirmed["title"] == "Ayam Geprek Bu Indah · Non-PKT"

    assigned = await ok(await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign",
                                         data={"pjlp": staff.pjlp_user.email.upper()}))
    assert assigned["stage"] == "Pengecekan PJLP"
    assert assigned["open_steps"][0]["assignee"] == {"id": staff.pjlp_user.id, "name": staff.pjlp_user.name}
    assert assigned["data"]["pjlp"]["id"] == staff.pjlp_user.id
    pjlp_inbox = (await api.http.get("/api/v1/tasks", headers=staff.pjlp)).json()
    assert [(t["case_id"], t["queue"]) for t in pjlp_inbox] == [(case["id"], "Non-PKT")]

    checked = await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "confirm"))
    assert checked["stage"] == "Pengecekan Satpel"
    verified = await ok(await api.decide(staff.satpel, case["id"], "satpel_check", "confirm"))
    assert verified["stage"] == "Pengajuan" and steps(verified) == ["activate"]
    done = await ok(await api.decide(staff.admin, case["id"], "activate", "activate"))
    assert (done["status"], done["stage"], done["open_steps"]) == ("completed", "Terdaftar", [])
    assert [h["action"] for h in done["history"]] == ["submitted", "save", "confirm", "assign", "confirm",
                                                        "confirm", "activate"]
    await eventually(lambda: [m for m in mail_sink.messages()
                              if applicant.email in m["to"] and "Terdaftar" in m["subject"]])
    await maybe_save_history(api.temporal, case["id"], "eorder-vendor-registered")


async def test_incomplete_profile_confirm_lists_the_fields(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    case = await start_vendor(api, applicant_h)
    await ok(await api.decide(applicant_h, case["id"], "fill_profile", "save",
                              data={"business_name": "Ayam Geprek Bu Indah", "owner_name": "Indah"}))

    refused = await api.decide(applicant_h, case["id"], "fill_profile", "confirm", data={"nik": "123"})
    assert refused.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in refused.json()["detail"]}
    assert all(e["loc"][:2] == ["body", "data"] for e in refused.json()["detail"])
    assert fields["nik"] == "NIK harus 16 digit angka sesuai KTP"
    assert set(fields) == {"nik", "phone", "email", "address", "category", "nib", "pkp", "bank_name", "bank_account"}
    assert {fields[k] for k in fields if k != "nik"} == {"Wajib diisi"}

    bad_save = await api.decide(applicant_h, case["id"], "fill_profile", "save",
                                data={"nib": "12", "colour": "merah", "owner_name": ""})
    assert bad_save.status_code == 422
    assert {tuple(e["loc"]) for e in bad_save.json()["detail"]} == {("body", "data", "nib"),
                                                                    ("body", "data", "colour")}
    view = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=applicant_h)).json()
    assert view["stage"] == "Pengisian Data" and view["data"]["owner_name"] == "Indah" and "nib" not in view["data"]
    assert [h["action"] for h in view["history"]] == ["submitted", "save"]


async def test_start_refusals_and_one_registration_per_account(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, satpel_h = await api.user("satpel", "dki")

    unknown = await api.http.post(VENDOR, json={"skpd": "999999", "pkt": False}, headers=applicant_h)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "skpd"]
    missing = await api.http.post(VENDOR, json={"skpd": "141732"}, headers=applicant_h)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "pkt"]
    assert (await api.http.post(VENDOR, json={"skpd": "141732", "pkt": True}, headers=satpel_h)).status_code == 403

    await start_vendor(api, applicant_h, pkt=True)
    again = await api.http.post(VENDOR, json={"skpd": "141732", "pkt": True}, headers=applicant_h)
    assert again.status_code == 409
    assert (await api.http.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 1


async def test_a_double_clicked_start_opens_one_registration(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    body = {"skpd": "141732", "pkt": False}
    first, second = await asyncio.gather(api.http.post(VENDOR, json=body, headers=applicant_h),
                                         api.http.post(VENDOR, json=body, headers=applicant_h))
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert (await api.http.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 1


async def test_skpd_added_by_the_cli_can_be_chosen(api: Api) -> None:
    cli = [sys.executable, "-m", "core.cli", "skpd", "add", "270100", "Dinas PPKUKM Provinsi DKI Jakarta",
           "--agency", "dki"]
    env = {**os.environ, "ALUR_DATABASE_URL": api.settings.database_url}
    done = subprocess.run(cli, capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(cli, capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert again.returncode != 0 and "SKPD 270100 is already listed" in again.stderr
    listed = (await api.http.get("/api/v1/eorder/skpd")).json()
    assert {"code": "270100", "name": "Dinas PPKUKM Provinsi DKI Jakarta"} in listed
    _, applicant_h = await api.user("umkm")
    case = await start_vendor(api, applicant_h, skpd="270100")
    assert case["data"]["skpd_name"] == "Dinas PPKUKM Provinsi DKI Jakarta"


async def test_assignment_names_a_pjlp_of_the_agency_and_only_that_pjlp_checks(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    other_pjlp, other_pjlp_h = await api.user("pjlp", "dki")
    far_pjlp, far_pjlp_h = await api.user("pjlp", "jatim")
    not_pjlp, _ = await api.user("admin_eorder", "dki")
    case = await start_vendor(api, applicant_h, pkt=True)
    await ok(await api.decide(applicant_h, case["id"], "fill_profile", "confirm", data=eorder_profile()))
    assert (await api.http.get("/api/v1/tasks", params={"queue": "PKT"}, headers=staff.satpel)).json()

    for ref in (far_pjlp.email, not_pjlp.email, "nobody@contoh.id", None, 999999, True):
        refused = await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign", data={"pjlp": ref})
        assert refused.status_code == 422, ref
        assert refused.json()["detail"][0]["loc"] == ["body", "data", "pjlp"]
    assert (await api.decide(staff.pjlp, case["id"], "assign_pjlp", "assign",
                             data={"pjlp": staff.pjlp_user.id})).status_code == 403
    await ok(await api.decide(staff.satpel, case["id"], "assign_pjlp", "assign", data={"pjlp": staff.pjlp_user.id}))

    assert (await api.decide(other_pjlp_h, case["id"], "pjlp_check", "confirm")).status_code == 403
    assert (await api.decide(staff.satpel, case["id"], "pjlp_check", "confirm")).status_code == 403
    assert (await api.decide(applicant_h, case["id"], "pjlp_check", "confirm")).status_code == 403
    assert (await api.decide(far_pjlp_h, case["id"], "pjlp_check", "confirm")).status_code == 404
    assert (await api.http.get(f"/api/v1/cases/{case['id']}", headers=far_pjlp_h)).status_code == 404
    assert (await api.http.get("/api/v1/tasks", headers=other_pjlp_h)).json() == []
    assert (await api.decide(staff.satpel, case["id"], "satpel_check", "confirm")).status_code == 409
    assert (await api.decide(staff.pjlp, case["id"], "pjlp_check", "activate")).status_code == 422


async def test_pjlp_edit_is_recorded_field_by_field(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    case = await to_pjlp_check(api, applicant_h, staff)

    bad = await api.decide(staff.pjlp, case["id"], "pjlp_check", "edit", data={"nik": "31710117", "pkt": True})
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["detail"]} == {"nik", "pkt"}

    edited = await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "edit",
                                       data={"business_name": "Ayam Geprek Indah", "phone": "082119157355",
                                             "bank_name": "Bank DKI Syariah"}))
    assert edited["stage"] == "Pengecekan PJLP" and steps(edited) == ["pjlp_check"]
    event = edited["history"][-1]
    assert (event["action"], event["actor"], event["actor_role"]) == ("edit", staff.pjlp_user.name, "pjlp")
    assert event["data"]["changes"] == [
        {"field": "business_name", "label": "Nama usaha", "old": "Ayam Geprek Bu Indah", "new": "Ayam Geprek Indah"},
        {"field": "bank_name", "label": "Nama bank", "old": "Bank DKI", "new": "Bank DKI Syariah"},
    ]  # the phone was the same number written differently: not a change
    assert edited["data"]["business_name"] == "Ayam Geprek Indah"
    mail = await eventually(lambda: [m for m in mail_sink.messages()
                                     if applicant.email in m["to"] and "dikoreksi" in m["subject"]])
    assert "Nama usaha: Ayam Geprek Bu Indah -> Ayam Geprek Indah" in mail[0]["text"]

    await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "edit", data={"owner_name": "Indah L."}))
    await eventually(lambda: len([m for m in mail_sink.messages()
                                  if applicant.email in m["to"] and "dikoreksi" in m["subject"]]) == 2)


async def test_satpel_returns_to_the_same_pjlp(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    case = await to_pjlp_check(api, applicant_h, staff)
    await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "confirm"))

    no_reason = await api.decide(staff.satpel, case["id"], "satpel_check", "return")
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    returned = await ok(await api.decide(staff.satpel, case["id"], "satpel_check", "return",
                                         reason="Nomor rekening belum sesuai buku tabungan"))
    assert returned["stage"] == "Pengecekan PJLP"
    assert returned["open_steps"][0]["assignee"]["id"] == staff.pjlp_user.id
    assert returned["history"][-1]["reason"] == "Nomor rekening belum sesuai buku tabungan"

    await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "edit", data={"bank_account": "1012345679"}))
    await ok(await api.decide(staff.pjlp, case["id"], "pjlp_check", "confirm"))
    verified = await ok(await api.decide(staff.satpel, case["id"], "satpel_check", "confirm"))
    assert verified["stage"] == "Pengajuan"
    assert [h["action"] for h in verified["history"]][-5:] == ["confirm", "return", "edit", "confirm", "confirm"]
    await maybe_save_history(api.temporal, case["id"], "eorder-vendor-returned")


async def test_registered_account_cannot_register_again(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)
    again = await api.http.post(VENDOR, json={"skpd": "141732", "pkt": False}, headers=applicant_h)
    assert again.status_code == 409
