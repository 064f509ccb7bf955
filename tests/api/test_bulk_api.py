"""Bulk actions on selected cases (POST /api/v1/cases/bulk): each case through the engine on its own, the
answer per case, refused ones included, never all-or-nothing."""

import pytest

from activities.mailsink import MailSink
from tests.api.conftest import Api
from tests.api.test_jathil_vendor_api import start
from tests.utils.waiting import eventually

pytestmark = pytest.mark.usefixtures("settings")
BULK = "/api/v1/cases/bulk"


def by_case(response_json: dict) -> dict[str, tuple[int, bool]]:
    return {r["case_id"]: (r["status"], r["ok"]) for r in response_json["results"]}


async def test_a_bulk_cancel_reports_each_case_including_the_refused(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    _, head_h = await api.user("kepala_dinas", "ponorogo")
    _, supervisor_h = await api.user("supervisor", "ponorogo")
    _, elsewhere_h = await api.user("umkm")
    waiting, closed = await start(api, applicant_h), await start(api, applicant_h)
    assert (await api.decide(field_h, closed["id"], "verify", "forward")).status_code == 200
    assert (await api.decide(main_h, closed["id"], "approve", "approve")).json()["status"] == "completed"
    foreign = await start(api, elsewhere_h)  # another applicant's case of the agency, not selected
    ids = [waiting["id"], closed["id"], "jathil-vendor-1999-9"]

    # A supervisor who is not the head of agency: every case refused, each said so.
    not_head = await api.http.post(BULK, json={"case_ids": ids, "action": "cancel", "reason": "Ganda"},
                                   headers=supervisor_h)
    assert not_head.status_code == 200, not_head.text
    assert by_case(not_head.json()) == {waiting["id"]: (403, False), closed["id"]: (409, False),
                                        "jathil-vendor-1999-9": (404, False)}
    # An officer may not use it at all; a cancel needs a reason (nothing touched).
    assert (await api.http.post(BULK, json={"case_ids": ids, "action": "cancel", "reason": "x"},
                                headers=field_h)).status_code == 403
    no_reason = await api.http.post(BULK, json={"case_ids": ids, "action": "cancel"}, headers=head_h)
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    assert (await api.http.post(BULK, json={"case_ids": [], "action": "cancel", "reason": "x"},
                                headers=head_h)).status_code == 422
    assert (await api.http.post(BULK, json={"case_ids": ids, "action": "delete"}, headers=head_h)).status_code == 422

    # The head of agency: the waiting case is cancelled, the closed and the unknown ones refused.
    done = await api.http.post(BULK, json={"case_ids": ids, "action": "cancel", "reason": "Permohonan ganda"},
                               headers=head_h)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["done"], body["refused"]) == (1, 2)
    assert by_case(body) == {waiting["id"]: (200, True), closed["id"]: (409, False),
                             "jathil-vendor-1999-9": (404, False)}
    assert body["results"][0]["case_status"] == "cancelled"
    view = (await api.http.get(f"/api/v1/cases/{waiting['id']}", headers=head_h)).json()
    assert (view["status"], view["stage"], view["open_steps"]) == ("cancelled", "Dibatalkan", [])
    [cancel] = [h for h in view["history"] if h["action"] == "cancel"]
    assert cancel["reason"] == "Permohonan ganda" and cancel["actor_role"] == "kepala_dinas"
    # The other case of the agency was not in the selection: untouched.
    assert (await api.http.get(f"/api/v1/cases/{foreign['id']}", headers=head_h)).json()["status"] == "open"


async def test_bulk_remind_sends_again_and_bulk_reassign_moves_each_case(api: Api, mail_sink: MailSink) -> None:
    _, applicant_h = await api.user("umkm")
    officer, officer_h = await api.user("admin_bidang", "ponorogo")
    _, supervisor_h = await api.user("supervisor", "ponorogo")
    cases = [await start(api, applicant_h) for _ in range(2)]
    ids = [c["id"] for c in cases]

    for _ in range(2):  # each request its own reminder
        reminded = await api.http.post(BULK, json={"case_ids": ids, "action": "remind"}, headers=supervisor_h)
        assert reminded.status_code == 200 and reminded.json()["done"] == 2, reminded.text
    codes = [c["tracking_code"] for c in cases]

    def reminders() -> list[str]:
        return [m["subject"] for m in mail_sink.messages() if officer.email in m["to"]
                and m["subject"].startswith("Pengingat batas waktu") and any(c in m["subject"] for c in codes)]

    await eventually(lambda: len(reminders()) == 4)  # two requests, two cases: none dropped as a repeat

    moved = await api.http.post(BULK, json={"case_ids": ids, "action": "reassign", "assignee": officer.email},
                                headers=supervisor_h)
    assert moved.status_code == 200 and moved.json()["done"] == 2, moved.text
    again = await api.http.post(BULK, json={"case_ids": ids, "action": "reassign", "assignee": officer.id},
                                headers=supervisor_h)
    assert {r["status"] for r in again.json()["results"]} == {422}  # already theirs: refused per case
    inbox = (await api.http.get("/api/v1/tasks", params={"mine": "true"}, headers=officer_h)).json()
    assert sorted(t["case_id"] for t in inbox) == sorted(ids)
