"""Task ownership over HTTP with the dev server and a real worker: claim, release and reassign with their
authorisation (the old owner gets 403 after a reassignment), delegations (who may give one, what they
redirect, within their dates only), and the inbox's filters."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from api.service import with_assignee
from core.messages import CaseStatus
from core.models import Case
from core.models_owners import agency_today
from tests.api.conftest import Api
from tests.api.test_jathil_vendor_api import start
from tests.utils.eorder import dki_staff, to_pjlp_check
from tests.utils.factories import make_user

pytestmark = pytest.mark.usefixtures("settings")


def step_url(case_id: str, verb: str, step: str = "verify") -> str:
    return f"/api/v1/cases/{case_id}/steps/{step}/{verb}"


async def test_claim_release_reassign_and_who_may(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    first, first_h = await api.user("admin_bidang", "ponorogo")
    second, second_h = await api.user("admin_bidang", "ponorogo")
    _, supervisor_h = await api.user("supervisor", "ponorogo")
    _, head_h = await api.user("kepala_dinas", "ponorogo")
    elsewhere = make_user(api.engine, "admin_bidang", "jombang")
    _, elsewhere_h = await api.user("supervisor", "jombang")
    head_of_ponorogo = make_user(api.engine, "kepala_dinas", "ponorogo")
    case = await start(api, applicant_h)
    post = api.http.post

    claimed = await post(step_url(case["id"], "claim"), headers=first_h)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["open_steps"][0]["claimed_by"] == {"id": first.id, "name": first.name}
    # The colleague still sees it in their inbox, marked; may not decide it, claim it or release it.
    [row] = (await api.http.get("/api/v1/tasks", headers=second_h)).json()
    assert row["case_id"] == case["id"] and row["claimed_by"]["name"] == first.name
    refused = await api.decide(second_h, case["id"], "verify", "forward")
    assert refused.status_code == 403 and first.name in refused.json()["detail"]
    assert (await post(step_url(case["id"], "claim"), headers=second_h)).status_code == 409
    assert (await post(step_url(case["id"], "release"), headers=second_h)).status_code == 403
    # Another agency's supervisor does not see the case at all; its applicant may not claim it.
    assert (await post(step_url(case["id"], "release"), headers=elsewhere_h)).status_code == 404
    assert (await post(step_url(case["id"], "claim"), headers=applicant_h)).status_code == 403
    # A supervisor releases it: everyone's again.
    released = await post(step_url(case["id"], "release"), headers=supervisor_h)
    assert released.status_code == 200 and released.json()["open_steps"][0]["claimed_by"] is None
    assert (await post(step_url(case["id"], "release"), headers=supervisor_h)).status_code == 409

    # Reassigning: not by an officer; only to a person of the agency and the step's role.
    assert (await post(step_url(case["id"], "reassign"), json={"assignee": second.id}, headers=first_h)).status_code == 403
    for wrong in (elsewhere.id, head_of_ponorogo.email, "nobody@contoh.id"):
        bad = await post(step_url(case["id"], "reassign"), json={"assignee": wrong}, headers=supervisor_h)
        assert bad.status_code == 422, wrong
        assert bad.json()["detail"][0]["loc"] == ["body", "assignee"]
    assert (await post(step_url(case["id"], "claim"), headers=first_h)).status_code == 200
    moved = await post(step_url(case["id"], "reassign"), json={"assignee": second.email, "reason": "Cuti"},
                       headers=supervisor_h)
    assert moved.status_code == 200, moved.text
    step = moved.json()["open_steps"][0]
    assert step["assignee"] == {"id": second.id, "name": second.name} and step["claimed_by"] is None
    assert (await api.decide(first_h, case["id"], "verify", "forward")).status_code == 403  # the old owner
    assert [t["case_id"] for t in (await api.http.get("/api/v1/tasks", headers=first_h)).json()] == []
    # A step already given to one person is reassigned again (by the head of agency); it cannot be claimed.
    assert (await post(step_url(case["id"], "claim"), headers=first_h)).status_code == 409
    back = await post(step_url(case["id"], "reassign"), json={"assignee": first.id}, headers=head_h)
    assert back.status_code == 200
    assert (await api.decide(second_h, case["id"], "verify", "forward")).status_code == 403
    done = await api.decide(first_h, case["id"], "verify", "forward")
    assert done.status_code == 200, done.text
    history = done.json()["history"]
    assert [h["action"] for h in history][1:] == ["claim", "release", "claim", "reassign", "reassign", "forward"]
    assert [h["actor"] for h in history if h["action"] in ("claim", "forward")] == [first.name] * 3
    reassigned = [h for h in done.json()["history"] if h["action"] == "reassign"]
    assert reassigned[0]["reason"] == "Cuti" and reassigned[0]["data"]["to"]["id"] == second.id
    # A closed step: 409.
    assert (await post(step_url(case["id"], "claim"), headers=first_h)).status_code == 409


async def test_delegations_who_may_and_what_they_redirect(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    away, away_h = await api.user("admin_bidang", "ponorogo")
    colleague, colleague_h = await api.user("admin_bidang", "ponorogo")
    later = make_user(api.engine, "admin_bidang", "ponorogo")
    _, supervisor_h = await api.user("supervisor", "ponorogo")
    other_role = make_user(api.engine, "admin_utama", "ponorogo")
    other_agency = make_user(api.engine, "admin_bidang", "jombang")
    today = agency_today("ponorogo")
    span = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=2)).isoformat()}
    post = api.http.post

    # Only the person themself, or a supervisor, delegates their tasks; to the same agency and role.
    assert (await post("/api/v1/delegations", json={"delegator": away.id, "delegate": later.id, **span},
                       headers=colleague_h)).status_code == 403
    for wrong in (other_role.id, other_agency.email, away.id):
        bad = await post("/api/v1/delegations", json={"delegate": wrong, **span}, headers=away_h)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "delegate"], wrong
    backwards = await post("/api/v1/delegations", json={"delegate": colleague.id, "starts_on": span["ends_on"],
                                                        "ends_on": span["starts_on"]}, headers=away_h)
    assert [e["loc"] for e in backwards.json()["detail"]] == [["body", "ends_on"]]
    made = await post("/api/v1/delegations", json={"delegate": colleague.email, "reason": "Cuti", **span},
                      headers=away_h)
    assert made.status_code == 201, made.text
    assert made.json()["active_today"] and made.json()["delegate_id"] == colleague.id
    overlap = await post("/api/v1/delegations", json={"delegate": colleague.id, **span}, headers=away_h)
    assert overlap.status_code == 422 and overlap.json()["detail"][0]["loc"] == ["body", "starts_on"]
    # `later` is away only from tomorrow: a supervisor records it for them.
    tomorrow = {"starts_on": (today + timedelta(days=1)).isoformat(), "ends_on": (today + timedelta(days=5)).isoformat()}
    ahead = await post("/api/v1/delegations", json={"delegator": later.email, "delegate": colleague.id, **tomorrow},
                       headers=supervisor_h)
    assert ahead.status_code == 201 and not ahead.json()["active_today"]
    listed = (await api.http.get("/api/v1/delegations", headers=supervisor_h)).json()
    assert {d["delegator_id"] for d in listed} == {away.id, later.id}
    assert [d["delegator_id"] for d in (await api.http.get("/api/v1/delegations", headers=away_h)).json()] == [away.id]

    # Within its dates the task named for `away` goes to the colleague, recorded as delegated; `later` keeps theirs.
    case = await start(api, applicant_h)
    moved = await post(step_url(case["id"], "reassign"), json={"assignee": away.id}, headers=supervisor_h)
    assert moved.status_code == 200, moved.text
    step = moved.json()["open_steps"][0]
    assert step["assignee"]["id"] == colleague.id and step["delegated_from"] == away.name
    [event] = [h for h in moved.json()["history"] if h["action"] == "reassign"]
    assert event["data"]["delegated_from"]["id"] == away.id
    kept = await post(step_url(case["id"], "reassign"), json={"assignee": later.id}, headers=supervisor_h)
    assert kept.json()["open_steps"][0]["assignee"]["id"] == later.id

    # Deleting: not by a colleague; by the person themself. Then their tasks are theirs again.
    delegation_id = made.json()["id"]
    assert (await api.http.delete(f"/api/v1/delegations/{delegation_id}", headers=colleague_h)).status_code == 403
    assert (await api.http.delete(f"/api/v1/delegations/{delegation_id}", headers=away_h)).status_code == 204
    again = await post(step_url(case["id"], "reassign"), json={"assignee": away.id}, headers=supervisor_h)
    assert again.json()["open_steps"][0]["assignee"]["id"] == away.id


def test_an_assigning_decision_goes_to_the_delegate_within_the_dates_only(api: Api) -> None:
    """with_assignee, where an assigning action (e-order's Tunjuk PJLP) names the person for a later step."""
    from core.models_owners import Delegation

    away, colleague, later = (make_user(api.engine, "pjlp", "dki") for _ in range(3))
    supervisor = make_user(api.engine, "supervisor", "dki")
    today = agency_today("dki")
    with Session(api.engine) as session:
        session.add(Case(id="eorder-vendor-2099-1", sop="eorder-vendor", agency="dki", tracking_code="DELEG00001",
                         applicant_name="Sri", status=CaseStatus.OPEN, stage="Penunjukan PJLP"))
        for who, starts in ((away, today - timedelta(days=1)), (later, today + timedelta(days=1))):
            session.add(Delegation(agency="dki", role="pjlp", delegator_id=who.id, delegate_id=colleague.id,
                                   starts_on=starts, ends_on=starts + timedelta(days=3), created_by_id=supervisor.id))
        session.commit()
        case = session.get(Case, "eorder-vendor-2099-1")
        delegated = with_assignee(session, case, "assign_pjlp", "assign", {"pjlp": away.email})
        assert delegated["assignee"]["id"] == colleague.id
        assert delegated["delegations"] == [{"from": {"id": away.id, "name": away.name, "role": "pjlp", "agency": "dki"},
                                             "to": {"id": colleague.id, "name": colleague.name, "role": "pjlp",
                                                    "agency": "dki"}}]
        kept = with_assignee(session, case, "assign_pjlp", "assign", {"pjlp": later.id})
        assert kept["assignee"]["id"] == later.id and "delegations" not in kept


async def test_inbox_filters(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    officer, officer_h = await api.user("admin_bidang", "ponorogo")
    _, colleague_h = await api.user("admin_bidang", "ponorogo")
    first = await start(api, applicant_h, business_name="Keripik Tempe Bu Sri")
    second = await start(api, applicant_h, business_name="Sambal Pecel Mbok Darmi")
    assert (await api.http.post(step_url(second["id"], "claim"), headers=officer_h)).status_code == 200

    async def ids(headers: dict[str, str], **params: str) -> list[str]:
        response = await api.http.get("/api/v1/tasks", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [t["case_id"] for t in response.json()]

    both = await ids(officer_h)
    assert set(both) == {first["id"], second["id"]}
    assert await ids(officer_h, q="pecel") == [second["id"]]
    assert await ids(officer_h, q="BU SRI") == [first["id"]]
    assert await ids(officer_h, mine="true") == [second["id"]]
    assert await ids(officer_h, unclaimed="true") == [first["id"]]
    assert await ids(colleague_h, mine="true") == []
    assert set(await ids(officer_h, sop="jathil-vendor", stage=first["stage"])) == {first["id"], second["id"]}
    assert await ids(officer_h, sop="gallery-curation") == []
    assert await ids(officer_h, overdue="true") == []
    assert await ids(officer_h, due_before="2000-01-01T00:00:00Z") == []
    paged = await api.http.get("/api/v1/tasks", params={"page": 2, "per_page": 1}, headers=officer_h)
    assert paged.headers["X-Total-Count"] == "2" and len(paged.json()) == 1 and paged.json()[0]["case_id"] == both[1]
    assert (await api.http.get("/api/v1/tasks", params={"sort": "sideways"}, headers=officer_h)).status_code == 422


async def test_an_assigning_decision_within_a_delegation_goes_to_the_delegate_and_is_recorded(api: Api) -> None:
    _, applicant_h = await api.user("umkm")
    staff = await dki_staff(api)
    colleague = make_user(api.engine, "pjlp", "dki", unit="141732")
    today = agency_today("dki")
    made = await api.http.post("/api/v1/delegations", headers=staff.pjlp, json={
        "delegate": colleague.email, "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert made.status_code == 201, made.text
    case = await to_pjlp_check(api, applicant_h, staff)  # the Satpel names the PJLP who is away
    [step] = case["open_steps"]
    assert step["assignee"]["id"] == colleague.id
    [delegated] = [h for h in case["history"] if h["action"] == "delegated"]
    assert delegated["reason"] == f"Didelegasikan dari {staff.pjlp_user.name} kepada {colleague.name}"
    assert (await api.decide(staff.pjlp, case["id"], "pjlp_check", "confirm")).status_code == 403
    colleague_h = await api.login(colleague)
    assert (await api.decide(colleague_h, case["id"], "pjlp_check", "confirm")).status_code == 200
