"""jathil-vendor through the HTTP API with a real worker on the Temporal dev server."""

import asyncio
from datetime import datetime

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.config import Settings
from core.db import session_scope
from core.messages import Decision
from core.models import Notification
from core.users import person
from tests.api.conftest import Api, open_api
from tests.conftest import free_port
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually
from tests.utils.factories import jathil_vendor_form

START = "/api/v1/sops/jathil-vendor/cases"


async def start(api: Api, headers: dict, **overrides) -> dict:
    response = await api.http.post(START, json=jathil_vendor_form(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_happy_path_forward_then_approve(api: Api) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")

    case = await start(api, applicant_h)
    assert case["id"].startswith("jathil-vendor-") and case["status"] == "open" and case["stage"] == "Verifikasi"
    assert [s["step"] for s in case["open_steps"]] == ["verify"] and case["open_steps"][0]["due_at"]
    assert case["data"]["phone"] == "6281234567890"

    inbox = (await api.http.get("/api/v1/tasks", headers=field_h)).json()
    assert [t["case_id"] for t in inbox] == [case["id"]]

    forwarded = await api.decide(field_h, case["id"], "verify", "forward")
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["stage"] == "Persetujuan"  # read-your-writes: the next step is already open
    assert [s["step"] for s in forwarded.json()["open_steps"]] == ["approve"]

    approved = await api.decide(main_h, case["id"], "approve", "approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "completed" and body["open_steps"] == [] and body["data"]["may_sell"] is True
    assert [h["action"] for h in body["history"]] == ["submitted", "forward", "approve"]

    await maybe_save_history(api.temporal, case["id"], "jathil-vendor-approved")
    tracked = (await api.http.get(f"/api/v1/track/{case['tracking_code']}")).json()
    assert tracked["status"] == "completed"
    assert "Sri" not in str(tracked) and "3502014107850001" not in str(tracked)


async def test_return_and_resubmit_is_validated_again(api: Api) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    case = await start(api, applicant_h, pirt="", category="kerajinan")

    no_reason = await api.decide(field_h, case["id"], "verify", "return")
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    returned = await api.decide(field_h, case["id"], "verify", "return", reason="Foto KTP buram")
    assert returned.json()["open_steps"][0]["step"] == "revise"
    assert returned.json()["open_steps"][0]["assignee"]["id"] == applicant.id

    bad = await api.decide(applicant_h, case["id"], "revise", "resubmit", data=jathil_vendor_form(nib="12"))
    assert bad.status_code == 422
    assert {"loc": ["body", "data", "nib"], "msg": "NIB harus 13 digit angka", "type": "nib"} in bad.json()["detail"]

    fixed = await api.decide(applicant_h, case["id"], "revise", "resubmit",
                             data=jathil_vendor_form(business_name="Keripik Tempe Sri Rejeki"))
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["stage"] == "Verifikasi" and fixed.json()["data"]["business_name"] == "Keripik Tempe Sri Rejeki"
    await maybe_save_history(api.temporal, case["id"], "jathil-vendor-returned-open")


async def test_refusal_by_main_administrator(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    case = await start(api, applicant_h)
    await api.decide(field_h, case["id"], "verify", "forward")
    refused = await api.decide(main_h, case["id"], "approve", "reject", reason="Data usaha direkayasa")
    assert refused.json()["status"] == "rejected"
    assert refused.json()["history"][-1]["reason"] == "Data usaha direkayasa"
    late = await api.decide(main_h, case["id"], "approve", "approve")
    assert late.status_code == 409
    await maybe_save_history(api.temporal, case["id"], "jathil-vendor-rejected")


async def test_bad_start_is_422_per_field_and_stores_nothing(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    form = jathil_vendor_form(nik="123", regency="Kabupaten Madiun", nib=None, not_reseller=False, pirt=None)
    response = await api.http.post(START, json=form, headers=applicant_h)
    assert response.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert fields == {
        "nik": "NIK harus 16 digit angka sesuai KTP",
        "regency": "Hanya IKM/UMKM Kabupaten Ponorogo yang dapat mendaftar",
        "nib": "Wajib memiliki legalitas usaha: isi NIB, IUMK atau SIUP",
        "pirt": "Usaha makanan dan minuman wajib memiliki sertifikat P-IRT",
        "not_reseller": "Reseller tidak dapat mendaftar",
    }
    assert (await api.http.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 0


async def test_authorisation(api: Api) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, stranger_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, other_agency_h = await api.user("admin_bidang", "jatim")
    _, main_h = await api.user("admin_utama", "ponorogo")

    assert (await api.http.post(START, json=jathil_vendor_form())).status_code == 401
    assert (await api.http.post(START, json=jathil_vendor_form(), headers=field_h)).status_code == 403
    case = await start(api, applicant_h)
    url = f"/api/v1/cases/{case['id']}"
    assert (await api.http.get(url, headers=stranger_h)).status_code == 404
    assert (await api.http.get(url, headers=other_agency_h)).status_code == 404
    assert (await api.http.get(url, headers=field_h)).status_code == 200
    assert (await api.http.get("/api/v1/cases", headers=other_agency_h)).json()["total"] == 0
    assert (await api.decide(main_h, case["id"], "verify", "forward")).status_code == 403
    assert (await api.decide(applicant_h, case["id"], "verify", "forward")).status_code == 403
    assert (await api.decide(other_agency_h, case["id"], "verify", "forward")).status_code == 404
    assert (await api.decide(field_h, case["id"], "approve", "approve")).status_code == 409
    assert (await api.decide(field_h, case["id"], "verify", "dance")).status_code == 422
    assert (await api.decide(main_h, case["id"], "verify", "return", reason="  ")).status_code == 403
    assert (await api.decide(field_h, case["id"], "verify", "return", reason="  ")).status_code == 422
    history = await api.temporal.get_workflow_handle(case["id"]).fetch_history()
    accepted = [e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
                for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert "decide" not in accepted  # the validator refused them before anything was written
    assert (await api.http.get("/api/v1/cases/jathil-vendor-1999-000001", headers=field_h)).status_code == 404


async def test_double_click_gives_one_200_and_one_409(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    case = await start(api, applicant_h)
    first, second = await asyncio.gather(
        api.decide(field_h, case["id"], "verify", "forward"), api.decide(field_h, case["id"], "verify", "forward")
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    view = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=field_h)).json()
    assert [h["action"] for h in view["history"]].count("forward") == 1


async def test_catalogue_lists_steps_with_sla(api: Api) -> None:
    catalogue = (await api.http.get("/api/v1/sops")).json()
    jathil = next(s for s in catalogue if s["id"] == "jathil-vendor")
    verify = next(s for s in jathil["steps"] if s["id"] == "verify")
    assert verify["role"] == "admin_bidang" and verify["sla"] == "1 hari kerja"
    assert {a["id"] for a in verify["actions"]} == {"forward", "return"}  # refusing is the main administrator's
    approve = next(s for s in jathil["steps"] if s["id"] == "approve")
    assert approve["role"] == "admin_utama" and {a["id"] for a in approve["actions"]} == {"approve", "reject"}


async def test_only_the_main_administrator_refuses(api: Api) -> None:
    """Seed 000 I.e: the field administrator verifies, then forwards or returns; refusing is not theirs."""
    _, applicant_h = await api.user("umkm")
    field_admin, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    case = await start(api, applicant_h)
    refused = await api.decide(field_h, case["id"], "verify", "reject", reason="Data usaha direkayasa")
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"loc": ["body", "action"], "msg": "Aksi tidak dikenal; pilihan: forward, return"}]
    view = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=field_h)).json()
    assert (view["status"], [h["action"] for h in view["history"]]) == ("open", ["submitted"])
    assert view["open_steps"][0]["step"] == "verify"
    # The retired action, sent by signal (the Temporal CLI), changes nothing: no decision is taken by signal
    # any more (its actor came from the caller); the run records the patch decide-signal-refused.
    handle = api.temporal.get_workflow_handle(case["id"])
    await handle.signal("decide_signal", Decision("verify", "reject", person(field_admin), reason="Direkayasa"))

    forwarded = await api.decide(field_h, case["id"], "verify", "forward")
    assert [h["action"] for h in forwarded.json()["history"]] == ["submitted", "forward"]
    markers = [e.marker_recorded_event_attributes.marker_name for e in (await handle.fetch_history()).events
               if e.HasField("marker_recorded_event_attributes")]
    assert "core_patch" in markers
    done = await api.decide(main_h, case["id"], "approve", "reject", reason="Data usaha direkayasa")
    assert done.status_code == 200 and done.json()["status"] == "rejected"


async def test_a_mail_server_that_is_down_never_holds_the_case(dev_env: WorkflowEnvironment, settings: Settings) -> None:
    down = settings.model_copy(update={"smtp_port": free_port()})  # nothing listens there
    async with open_api(dev_env, down) as api:
        _, applicant_h = await api.user("umkm")
        _, field_h = await api.user("admin_bidang", "ponorogo")
        _, main_h = await api.user("admin_utama", "ponorogo")
        case = await start(api, applicant_h)
        assert (await api.decide(field_h, case["id"], "verify", "forward")).status_code == 200
        approved = await api.decide(main_h, case["id"], "approve", "approve")
        assert approved.json()["status"] == "completed"
        with session_scope(api.engine) as session:
            assert session.exec(select(Notification)).all() == []  # nothing claimed as sent


def mail(sink: MailSink, to: str, subject_part: str) -> list[dict]:
    return [m for m in sink.messages() if to in m["to"] and subject_part in m["subject"]]


async def test_everyone_concerned_is_told_by_e_mail(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    field_admin, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    other_agency, _ = await api.user("admin_bidang", "jatim")
    case = await start(api, applicant_h)
    code = case["tracking_code"]
    await eventually(lambda: mail(mail_sink, applicant.email, f"Permohonan Anda diterima — Pendaftaran Penjual JATHIL MART ({code})"))
    [task] = await eventually(lambda: mail(mail_sink, field_admin.email, "Tugas baru: Verifikasi persyaratan"))
    assert f"{api.settings.base_url}/kasus/{case['id']}" in task["text"]

    await api.decide(field_h, case["id"], "verify", "return", reason="Foto KTP buram")
    [returned] = await eventually(lambda: mail(mail_sink, applicant.email, f"Permohonan {code} perlu diperbaiki"))
    assert "Foto KTP buram" in returned["text"]
    await api.decide(applicant_h, case["id"], "revise", "resubmit", data=jathil_vendor_form())
    await api.decide(field_h, case["id"], "verify", "forward")
    await api.decide(main_h, case["id"], "approve", "reject", reason="Usaha berada di luar Ponorogo")
    [rejected] = await eventually(lambda: mail(mail_sink, applicant.email, f"Permohonan {code} ditolak"))
    assert "Usaha berada di luar Ponorogo" in rejected["text"]
    assert len(mail(mail_sink, field_admin.email, "Tugas baru")) == 2  # once per round of the verify step
    assert not [m for m in mail_sink.messages() if other_agency.email in m["to"]]


async def test_supervisors_find_the_case_by_its_search_attributes(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    case = await start(api, applicant_h)
    forwarded = (await api.decide(field_h, case["id"], "verify", "forward")).json()

    described = await api.temporal.get_workflow_handle(case["id"]).describe()
    attributes = {pair.key.name: pair.value for pair in described.typed_search_attributes}
    assert attributes["AlurSop"] == "jathil-vendor" and attributes["AlurAgency"] == "ponorogo"
    assert attributes["AlurStage"] == "Persetujuan" and list(attributes["AlurRole"]) == ["admin_utama"]
    assert attributes["AlurOverdue"] is False
    assert attributes["AlurDueAt"] == datetime.fromisoformat(forwarded["open_steps"][0]["due_at"])

    query = f'AlurSop = "jathil-vendor" AND AlurStage = "Persetujuan" AND WorkflowId = "{case["id"]}"'

    async def found() -> list:
        return [w.id async for w in api.temporal.list_workflows(query)]

    for _ in range(100):  # visibility is eventually consistent
        if await found():
            break
        await asyncio.sleep(0.1)
    assert await found() == [case["id"]]
