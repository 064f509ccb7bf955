"""A step given to several people (Action(assigns=..., several=True)): what the workflow's validator accepts
as the named people, the form beside them, one inbox row per person in the projection, and one open step
naming them all in the case view. The whole path over HTTP is in tests/api/test_coaching_api.py."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError

from activities.records import write_snapshot
from api.views import case_view
from core.db import engine_for, session_scope
from core.forms import Form
from core.messages import CaseSnapshot, Decision, OpenStep, Person
from core.models import Case, Task
from tests.utils.factories import make_user
from workflows.coaching import DEFINITION
from workflows.sop import FORBIDDEN, Action, SopWorkflow, _assignment_errors, _OpenTask, assignees_of

T0 = datetime(2027, 3, 5, 8, 0, tzinfo=timezone.utc)
OFFICERS = Action("assign", "Tugaskan", assigns="petugas", several=True, key="officers")
HEAD = Action("dispose", "Disposisikan", assigns="kepala_bidang")


def officer(n: int, role: str = "petugas", agency: str = "sijunjung") -> dict:
    return {"id": n, "name": f"Petugas {n}", "role": role, "agency": agency}


def errors(action: Action, data: dict) -> list[dict]:
    return _assignment_errors(action, Decision("assign", action.id, Person(9, "Kasi"), data=data), "sijunjung")


def test_the_validator_takes_one_or_more_distinct_staff_of_the_role_and_agency() -> None:
    assert errors(OFFICERS, {"officers": [1, 2], "assignees": [officer(1), officer(2)]}) == []
    assert errors(OFFICERS, {"officers": [1], "assignees": [officer(1)]}) == []
    refused = [
        {},  # the API did not resolve them
        {"assignees": []},
        {"assignees": officer(1)},  # not a list
        {"assignees": [officer(1), officer(2, role="kasi")]},
        {"assignees": [officer(1), officer(2, agency="jombang")]},
        {"assignees": [officer(1), {**officer(2), "id": "2"}]},
        {"assignees": [officer(1), {**officer(2), "password": "x"}]},
    ]
    for data in refused:
        [error] = errors(OFFICERS, data)
        assert error["loc"] == ["body", "data", "officers"] and error["type"] == "assignee", data
        assert error["msg"] == "Pilih satu atau lebih Petugas dari instansi ini"
    [twice] = errors(OFFICERS, {"assignees": [officer(1), officer(1)]})
    assert twice["msg"] == "Setiap Petugas cukup disebut sekali"
    # one person, as before: its own key is the role's
    assert errors(HEAD, {"assignee": officer(3, role="kepala_bidang")}) == []
    assert errors(HEAD, {"assignee": officer(3)})[0]["loc"] == ["body", "data", "kepala_bidang"]
    people = assignees_of(Decision("assign", "assign", Person(9, "Kasi"), data={"assignees": [officer(1), officer(2)]}))
    assert [(p.id, p.name, p.role) for p in people] == [(1, "Petugas 1", "petugas"), (2, "Petugas 2", "petugas")]


class Note(Form):
    note: str


def test_an_assigning_action_with_a_form_checks_the_rest_of_the_data() -> None:
    action = Action("assign", "Tugaskan", assigns="petugas", several=True, key="officers", form=Note)
    data = {"officers": [1], "assignees": [officer(1)], "note": "Bawa formulir"}
    checked = SopWorkflow()._form_check(action, Decision("assign", "assign", Person(9, "Kasi"), data=data))
    assert checked.ok and checked.data == {"note": "Bawa formulir"}
    unknown = SopWorkflow()._form_check(action, Decision("assign", "assign", Person(9, "Kasi"),
                                                         data={**data, "extra": 1}))
    assert [e["loc"] for e in unknown.errors] == [["body", "data", "extra"]]


def test_the_projection_has_a_row_per_person_and_the_case_one_step_naming_them_all(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    applicant = make_user(engine, "umkm")
    first, second = make_user(engine, "petugas", "sijunjung"), make_user(engine, "petugas", "sijunjung")
    step = OpenStep(step="coach", title="Melakukan pembinaan", role="petugas", actions=["coached"], started_at=T0,
                    due_at=T0 + timedelta(days=1), assignee_id=first.id, assignee_name=first.name,
                    assignees=[Person(first.id, first.name, "petugas", "sijunjung"),
                               Person(second.id, second.name, "petugas", "sijunjung")])
    write_snapshot(engine, CaseSnapshot(
        case_id="coaching-2027-000001", sop="coaching", agency="sijunjung", tracking_code="ABCDEFGH23",
        applicant_id=applicant.id or 0, applicant_name=applicant.name, title="", status="open", stage="Pembinaan",
        data={}, version=1, created_at=T0, open_steps=[step], new_events=[]))
    with session_scope(engine) as session:
        rows = session.exec(select(Task).order_by(Task.id)).all()
        assert [(t.step, t.assignee_id) for t in rows] == [("coach", first.id), ("coach", second.id)]
    with Session(engine) as session:
        [view] = case_view(session, session.get(Case, "coaching-2027-000001")).open_steps  # type: ignore[arg-type]
    assert view.assignee is not None and view.assignee.id == first.id
    assert [(p.id, p.name) for p in view.assignees] == [(first.id, first.name), (second.id, second.name)]


def test_the_workflow_lets_any_named_person_take_the_step_and_no_one_else() -> None:
    """The workflow's own guard (a signal, another API process): not only the API's inbox rows."""
    named = [Person(1, "Petugas 1", "petugas", "sijunjung"), Person(2, "Petugas 2", "petugas", "sijunjung")]
    view = OpenStep(step="coach", title="Melakukan pembinaan", role="petugas", actions=["coached"], started_at=T0,
                    assignee_id=1, assignee_name="Petugas 1", assignees=named)
    task = _OpenTask(DEFINITION.step("coach"), view)
    engine = SopWorkflow()
    for person in named:
        engine._check_actor(task, person)
    with pytest.raises(ApplicationError) as refused:
        engine._check_actor(task, Person(3, "Petugas 3", "petugas", "sijunjung"))  # same role, not named
    assert refused.value.type == FORBIDDEN
