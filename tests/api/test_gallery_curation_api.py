"""gallery-curation through the HTTP API with a real worker on the Temporal dev server, the SMTP sink
and a local WhatsApp gateway: pass path to the catalogue, fail path to referrals, document return."""

import pytest
from sqlmodel import select

from activities.mailsink import MailSink
from core.config import Settings
from core.db import session_scope
from core.models import Case, User
from tests.api.conftest import Api
from tests.utils.factories import make_user
from tests.utils.gallery import PNG, curation, multipart_start
from tests.utils.gateway import Gateway
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually

START = "/api/v1/sops/gallery-curation/cases"
WA_NUMBER = "6281234567890"
SAMPLE = {"description": "2 bungkus keripik 200 g, kedaluwarsa Juni 2030", "quantity": 2}


@pytest.fixture
def settings(settings: Settings, gateway: Gateway) -> Settings:
    return settings.model_copy(update={"whatsapp_url": gateway.url, "whatsapp_token": "token-fonnte"})


async def applicant(api: Api) -> tuple[User, dict]:
    user = make_user(api.engine, "umkm", phone=WA_NUMBER)
    return user, await api.login(user)


async def start(api: Api, headers: dict, **files) -> dict:
    response = await api.http.post(START, headers=headers, **multipart_start(**files))
    assert response.status_code == 201, response.text
    return response.json()


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def open_steps(case: dict) -> list[str]:
    return sorted(s["step"] for s in case["open_steps"])


def children(api: Api, case_id: str) -> list[str]:
    with session_scope(api.engine) as session:
        return list(session.exec(select(Case.id).where(Case.parent_id == case_id).order_by(Case.id)))


def mails(sink: MailSink, user: User, subject_part: str) -> list[dict]:
    return [m for m in sink.messages() if user.email in m["to"] and subject_part.lower() in m["subject"].lower()]


async def team(api: Api) -> tuple[dict, dict]:
    _, staff = await api.user("staf_galeri", "jatim")
    _, expert = await api.user("kurator", "jatim")
    return staff, expert


async def to_curation(api: Api, staff: dict, applicant_h: dict) -> dict:
    case = await start(api, applicant_h)
    ok(await api.decide(staff, case["id"], "check_documents", "accept"))
    return ok(await api.decide(staff, case["id"], "receive_sample", "receive", data=SAMPLE))


async def test_pass_path_to_displayed_product_with_barcode(api: Api, mail_sink: MailSink, gateway: Gateway) -> None:
    user, applicant_h = await applicant(api)
    staff, expert = await team(api)
    case = await start(api, applicant_h, halal=("halal.pdf", b"%PDF-1.7 sertifikat"))
    assert case["id"].startswith("gallery-curation-") and case["agency"] == "jatim"
    assert case["stage"] == "Pemeriksaan Berkas" and open_steps(case) == ["check_documents"]
    assert sorted(d["kind"] for d in case["documents"]) == ["halal", "ktp", "nib", "pirt"]
    assert {d["content_type"] for d in case["documents"]} == {"application/pdf", "image/png", "image/jpeg"}

    accepted = ok(await api.decide(staff, case["id"], "check_documents", "accept"))
    assert accepted["stage"] == "Menunggu Sampel" and open_steps(accepted) == ["receive_sample"]
    await eventually(lambda: mails(mail_sink, user, "serahkan sampel"))
    await eventually(lambda: any("sampel produk" in m for m in gateway.messages_to(WA_NUMBER)))

    received = ok(await api.decide(staff, case["id"], "receive_sample", "receive", data=SAMPLE))
    assert received["stage"] == "Kurasi" and open_steps(received) == ["curate_expert", "curate_staff"]
    assert {s["role"] for s in received["open_steps"]} == {"staf_galeri", "kurator"}
    assert received["data"]["sample"] == SAMPLE

    # Both curators must submit: after the first, the case waits for the second.
    one = ok(await api.decide(staff, case["id"], "curate_staff", "submit", data=curation("pass")))
    assert one["stage"] == "Kurasi" and open_steps(one) == ["curate_expert"]
    both = ok(await api.decide(expert, case["id"], "curate_expert", "submit", data=curation("pass")))
    assert both["stage"] == "Display Produk" and both["data"]["curation"]["result"] == "pass"
    assert [h["action"] for h in both["history"]][-1] == "passed"
    scored = [h for h in both["history"] if h["step"] == "curate_staff"]
    assert scored[0]["data"]["packaging"]  # staff see each curator's scores
    as_applicant = (await api.http.get(f"/api/v1/cases/{case['id']}", headers=applicant_h)).json()
    assert [h["data"] for h in as_applicant["history"] if h["step"].startswith("curate_")] == [{}, {}]
    await eventually(lambda: mails(mail_sink, user, "lolos kurasi"))
    [result] = await eventually(lambda: [r for r in gateway.received if "LOLOS" in r.fields["message"]])
    assert result.headers["authorization"] == "token-fonnte"
    assert result.fields["target"] == WA_NUMBER and case["tracking_code"] in result.fields["message"]

    shown = ok(await api.decide(staff, case["id"], "display", "display",
                                data={"sku": "ktbs-200", "stock": 24, "price": 15000}))
    assert shown["status"] == "completed" and shown["stage"] == "Terdisplay di Galeri"
    display = shown["data"]["display"]
    assert display["sku"] == "KTBS-200" and display["barcode_type"] == "code128"
    await maybe_save_history(api.temporal, case["id"], "gallery-curation-displayed")

    catalogue = (await api.http.get("/api/v1/catalogue/gallery")).json()
    [item] = [i for i in catalogue["items"] if i["id"] == display["product_id"]]
    assert item["product_name"] == "Keripik Tempe Original 200 g" and item["price_text"] == "Rp 15.000"
    assert item["stock"] == 24 and item["sku"] == "KTBS-200"
    barcode = await api.http.get(item["barcode_url"])
    assert barcode.status_code == 200 and barcode.headers["content-type"] == "image/svg+xml"
    assert "<svg" in barcode.text and "KTBS-200" in barcode.text
    await eventually(lambda: mails(mail_sink, user, "dipajang di galeri"))


async def test_fail_path_refers_to_linked_cases(api: Api, mail_sink: MailSink, gateway: Gateway) -> None:
    user, applicant_h = await applicant(api)
    staff, expert = await team(api)
    _, head = await api.user("kepala_bidang", "jatim")
    case = await to_curation(api, staff, applicant_h)
    ok(await api.decide(staff, case["id"], "curate_staff", "submit", data=curation("pass")))
    failed = ok(await api.decide(expert, case["id"], "curate_expert", "submit", data=curation(
        "fail", taste_quality=2, notes="Rasa terlalu asin; label tanpa komposisi", missing_documents=["halal"])))
    assert failed["stage"] == "Rekomendasi Fasilitasi" and open_steps(failed) == ["refer"]
    assert failed["data"]["curation"] == {"result": "fail", "reasons": ["Rasa terlalu asin; label tanpa komposisi"],
                                          "missing_documents": ["halal"]}
    [notice] = await eventually(lambda: mails(mail_sink, user, "belum lolos"))
    assert "Rasa terlalu asin" in notice["text"] and "Sertifikat Halal" in notice["text"]
    await eventually(lambda: any("BELUM LOLOS" in m and "Sertifikat Halal" in m for m in gateway.messages_to(WA_NUMBER)))

    bad = await api.decide(staff, case["id"], "refer", "refer", data={"facilitations": ["halal", "halal", "spa"]})
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {("body", "data", "facilitations", "2")}
    referred = ok(await api.decide(staff, case["id"], "refer", "refer",
                                   data={"facilitations": ["halal", "ip"], "note": "Merek belum terdaftar"}))
    assert referred["status"] == "rejected" and referred["stage"] == "Tidak Lolos Kurasi"
    assert [r["facilitation"] for r in referred["data"]["referrals"]] == ["halal", "ip"]
    ids = [r["case_id"] for r in referred["data"]["referrals"]]
    assert all(i.startswith("referral-") for i in ids)

    await eventually(lambda: children(api, case["id"]) == ids)  # each referral writes its own projection
    assert ok(await api.http.get(f"/api/v1/cases/{case['id']}", headers=applicant_h))["linked"] == ids
    halal = ok(await api.http.get(f"/api/v1/cases/{ids[0]}", headers=applicant_h))
    assert halal["parent_id"] == case["id"] and halal["sop"] == "referral"
    assert halal["data"]["facilitation"] == "halal" and halal["data"]["missing_documents"] == ["halal"]
    tasks = (await api.http.get("/api/v1/tasks", headers=head, params={"queue": "halal"})).json()
    assert [(t["case_id"], t["step"]) for t in tasks] == [(ids[0], "acknowledge")]

    assert (await api.decide(staff, ids[0], "acknowledge", "acknowledge")).status_code == 403
    ok(await api.decide(head, ids[0], "acknowledge", "acknowledge"))
    assert (await api.decide(head, ids[0], "close", "close")).status_code == 422  # a note is required
    closed = ok(await api.decide(head, ids[0], "close", "close", reason="Sertifikat halal terbit melalui SEHATI"))
    assert closed["status"] == "completed" and closed["data"]["closing_note"].startswith("Sertifikat halal")
    await eventually(lambda: mails(mail_sink, user, "rujukan fasilitasi selesai"))
    await maybe_save_history(api.temporal, case["id"], "gallery-curation-referred")
    await maybe_save_history(api.temporal, ids[0], "referral-closed")


async def test_documents_returned_then_reuploaded(api: Api, mail_sink: MailSink) -> None:
    user, applicant_h = await applicant(api)
    staff, _ = await team(api)
    case = await start(api, applicant_h)

    no_reason = await api.decide(staff, case["id"], "check_documents", "return", data={"missing": ["nib"]})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    no_kinds = await api.decide(staff, case["id"], "check_documents", "return", reason="NIB buram", data={})
    assert no_kinds.status_code == 422 and no_kinds.json()["detail"][0]["loc"] == ["body", "data", "missing"]
    returned = ok(await api.decide(staff, case["id"], "check_documents", "return", reason="Foto NIB buram",
                                   data={"missing": ["nib"]}))
    assert returned["stage"] == "Perbaikan Berkas" and open_steps(returned) == ["revise"]
    [mail] = await eventually(lambda: mails(mail_sink, user, "perlu dilengkapi"))
    assert "Foto NIB buram" in mail["text"] and "- NIB" in mail["text"]

    early = await api.decide(applicant_h, case["id"], "revise", "resubmit")
    assert early.status_code == 422
    assert early.json()["detail"] == [{"loc": ["body", "documents"], "msg": "Unggah ulang dokumen: NIB"}]

    uploaded = await api.http.post(f"/api/v1/cases/{case['id']}/documents", headers=applicant_h,
                                   data={"kind": "nib"}, files={"file": ("nib-baru.png", PNG, "image/png")})
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == "nib-baru.png" and uploaded.json()["kind_label"] == "NIB"
    resubmitted = ok(await api.decide(applicant_h, case["id"], "revise", "resubmit"))
    assert resubmitted["stage"] == "Pemeriksaan Berkas" and open_steps(resubmitted) == ["check_documents"]
    assert [d["kind"] for d in resubmitted["documents"]].count("nib") == 2
    upload_event = next(h for h in resubmitted["history"] if h["action"] == "upload")
    assert upload_event["data"] == {"kind": "nib", "filename": "nib-baru.png"}
    ok(await api.decide(staff, case["id"], "check_documents", "accept"))
    await maybe_save_history(api.temporal, case["id"], "gallery-curation-returned")


async def test_curation_refusals(api: Api) -> None:
    _, applicant_h = await applicant(api)
    staff, expert = await team(api)
    _, other_agency = await api.user("kurator", "ponorogo")
    case = await to_curation(api, staff, applicant_h)

    assert (await api.decide(expert, case["id"], "curate_staff", "submit", data=curation())).status_code == 403
    assert (await api.decide(staff, case["id"], "curate_expert", "submit", data=curation())).status_code == 403
    assert (await api.decide(other_agency, case["id"], "curate_expert", "submit", data=curation())).status_code == 404
    assert (await api.decide(staff, case["id"], "display", "display", data={})).status_code == 409
    bad = await api.decide(staff, case["id"], "curate_staff", "submit",
                           data=curation("maybe", packaging=0, legality=6, extra=1))
    assert bad.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]}
    assert fields == {"packaging": "Minimal 1", "legality": "Maksimal 5", "extra": "Kolom tidak dikenal",
                      "recommendation": "Pilihan tidak dikenal; pilihan: 'pass' atau 'fail'"}
    no_notes = await api.decide(expert, case["id"], "curate_expert", "submit", data=curation("fail"))
    assert no_notes.json()["detail"] == [{"loc": ["body", "data", "notes"], "type": "admission",
                                          "msg": "Tuliskan alasan produk tidak lolos kurasi"}]
    ok(await api.decide(staff, case["id"], "curate_staff", "submit", data=curation()))
    assert (await api.decide(staff, case["id"], "curate_staff", "submit", data=curation())).status_code == 409


async def test_start_refusals_store_nothing(api: Api) -> None:
    _, applicant_h = await applicant(api)
    staff, _ = await team(api)
    form = multipart_start()
    missing_pirt = [f for f in form["files"] if f[0] != "pirt"]
    response = await api.http.post(START, headers=applicant_h, data=form["data"], files=missing_pirt)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "pirt"], "msg": "Wajib diunggah: Sertifikat P-IRT",
                                          "type": "missing"}]
    bad_form = multipart_start({"business_name": "", "category": "makanan_minuman", "price": 1.5},
                               hki=("merek.exe", b"MZ\x90\x00"))
    response = await api.http.post(START, headers=applicant_h, **bad_form)
    fields = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert fields["hki"] == "Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG"
    assert fields["price"] == "Harus bilangan bulat" and fields["business_name"] == "Wajib diisi"
    assert fields["expiry_date"] == "Produk makanan dan minuman wajib mencantumkan tanggal kedaluwarsa"
    assert (await api.http.post(START, headers=staff, **multipart_start())).status_code == 403
    assert (await api.http.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 0
    assert not api.settings.upload_dir.exists() or not any(api.settings.upload_dir.iterdir())


async def test_catalogue_lists_the_steps_with_their_sla(api: Api) -> None:
    catalogue = (await api.http.get("/api/v1/sops")).json()
    gallery = next(s for s in catalogue if s["id"] == "gallery-curation")
    slas = {s["id"]: s["sla"] for s in gallery["steps"]}
    assert slas["curate_staff"] == slas["curate_expert"] == "3 hari kerja"
    assert slas["receive_sample"] == "10 hari kerja" and slas["display"] == "1 hari kerja"
    assert gallery["agency"] == "jatim" and gallery["applicant_roles"] == ["umkm"]
    referral = next(s for s in catalogue if s["id"] == "referral")
    assert referral["applicant_roles"] == [] and all(s["sla"] for s in referral["steps"])
