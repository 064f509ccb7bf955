"""E-order drafts through the API: the applicant withdraws a registration or a product draft (cancelled);
the draft steps publish their deadline (our rule: 21 working days, about 30 days)."""

from activities.mailsink import MailSink
from tests.api.conftest import Api
from tests.utils.eorder import VENDOR, dki_staff, ok, register_vendor, start_product, start_vendor
from tests.utils.factories import eorder_profile
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually


async def test_the_applicant_withdraws_a_registration_draft(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    case = await start_vendor(api, applicant_h)
    assert case["open_steps"][0]["due_at"]  # the draft's deadline is shown
    await ok(await api.decide(applicant_h, case["id"], "fill_profile", "save",
                              data={"business_name": eorder_profile()["business_name"]}))
    assert (await api.decide(staff.satpel, case["id"], "fill_profile", "withdraw")).status_code == 403

    refused = await api.decide(applicant_h, case["id"], "fill_profile", "withdraw", data=eorder_profile())
    assert refused.status_code == 422  # an action without a form takes no data (the pages send none)
    withdrawn = await ok(await api.decide(applicant_h, case["id"], "fill_profile", "withdraw"))
    assert (withdrawn["status"], withdrawn["stage"], withdrawn["open_steps"]) == ("cancelled", "Dibatalkan", [])
    assert [(h["action"], h["data"]) for h in withdrawn["history"]][1:] == [
        ("save", {"business_name": "Ayam Geprek Bu Indah"}), ("withdraw", {})]
    [mail] = await eventually(lambda: [m for m in mail_sink.messages()
                                       if applicant.email in m["to"] and "dibatalkan" in m["subject"]])
    assert "Ditarik oleh pemohon" in mail["text"]
    assert (await api.decide(applicant_h, case["id"], "fill_profile", "confirm")).status_code == 409
    await maybe_save_history(api.temporal, case["id"], "eorder-vendor-withdrawn")

    again = await api.http.post(VENDOR, json={"skpd": "141732", "pkt": True}, headers=applicant_h)
    assert again.status_code == 201, again.text  # a withdrawn registration does not count


async def test_the_applicant_withdraws_a_product_draft(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    await register_vendor(api, applicant_h, staff)
    product = await start_product(api, applicant_h)
    assert (await api.decide(staff.pjlp, product["id"], "draft", "withdraw")).status_code == 403
    withdrawn = await ok(await api.decide(applicant_h, product["id"], "draft", "withdraw"))
    assert (withdrawn["status"], withdrawn["stage"]) == ("cancelled", "Dibatalkan")
    assert [h["action"] for h in withdrawn["history"]] == ["submitted", "withdraw"]


async def test_the_catalogue_lists_withdraw_and_the_draft_deadlines(api: Api) -> None:
    catalogue = {s["id"]: s for s in (await api.http.get("/api/v1/sops")).json()}
    for sop, step_id in (("eorder-vendor", "fill_profile"), ("eorder-product", "draft")):
        step = next(s for s in catalogue[sop]["steps"] if s["id"] == step_id)
        assert step["sla"] == "21 hari kerja" and "withdraw" in {a["id"] for a in step["actions"]}, step
