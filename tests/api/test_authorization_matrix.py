"""Who may see a case and decide its open step, generated from the SOP catalogue: for every SOP in
REGISTRY and every step of it, every role, in the case's agency or another, in the case's unit or
another, the case's own applicant, its second participant or a stranger.

The cases are projection rows (cases + tasks), not workflows: the API judges visibility and the acting
role from the projection before it reaches Temporal (api.service.decision_data). A decision that passes
those checks goes on to a Temporal that has no such workflow and is answered 409 (or 422 when the
action's data is incomplete): "allowed" means it got that far. A refusal is 404 when the case is not
the user's to see (another agency's, another unit's, another applicant's) and 403 when it is but the
step is not theirs; never 200.
"""

import itertools
import logging
from collections import Counter
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from api.service import NOT_TAKEN
from core.config import Settings
from core.db import engine_for, migrate
from core.models import Case, Task, User
from core.roles import AGENCIES, APPLICANT_ROLES, STAFF_ROLES
from core.security import ACCESS, make_token
from tests.api.conftest import Api, open_api
from workflows import REGISTRY, SOPS, WORKFLOW_BY_SOP
from workflows.sop import StepDef

log = logging.getLogger(__name__)
UNIT, OTHER_UNIT = "SKPD-A", "SKPD-B"  # the case's unit (for an SOP with units) and another one
_serial = itertools.count(1)


@dataclass(frozen=True)
class Who:
    """One identity of the matrix; `kind` says how it stands to the case."""

    label: str
    kind: str  # owner, participant, stranger, assignee, staff, staff_other_agency, staff_other_unit
    user: User
    headers: dict[str, str]

    @property
    def role(self) -> str:
        return self.user.role


@dataclass
class People:
    api: Api
    cache: dict[tuple, Who]

    def get(self, label: str, kind: str, role: str, agency: str | None = None, unit: str | None = None) -> Who:
        """A user per (kind, role, agency, unit), made once for the module; tokens are signed directly
        (the login itself is tested elsewhere): what follows authentication is what this tests."""
        key = (kind, role, agency, unit)
        if key not in self.cache:
            with Session(self.api.engine, expire_on_commit=False) as session:
                user = User(email=f"m{next(_serial)}@contoh.id", name=label, role=role, agency=agency, unit=unit,
                            password_hash="-", verified=True)
                session.add(user)
                session.commit()
            token = make_token(self.api.settings.secret_key, ACCESS, user.id, user.session_version)
            self.cache[key] = Who(label, kind, user, {"Authorization": f"Bearer {token}"})
        found = self.cache[key]
        return Who(label, found.kind, found.user, found.headers)


@pytest.fixture(scope="module")
async def people(dev_env: WorkflowEnvironment, mail_sink: MailSink,
                 tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[People]:
    """One database and one app for the whole matrix (no worker: no workflow is ever reached)."""
    tmp = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{tmp / 'alur.db'}"
    migrate(url)
    settings = Settings(env="test", database_url=url, smtp_host="127.0.0.1", smtp_port=mail_sink.port,
                        task_queue=f"alur-matrix-{uuid.uuid4().hex[:8]}", base_url="http://alur.test",
                        upload_dir=tmp / "uploads", var_dir=tmp)
    async with open_api(dev_env, settings, worker=False) as api:
        yield People(api, {})
    engine_for(url).dispose()


def other_agency(agency: str) -> str:
    return next(a for a in AGENCIES if a != agency)


def identities(people: People, sop: str) -> list[Who]:
    agency, other = SOPS[sop].agency, other_agency(SOPS[sop].agency)
    found = [
        people.get("pemohon kasus", "owner", "umkm"),
        people.get("umkm lain", "stranger", "umkm"),
        people.get("pembeli lain", "stranger", "pembeli"),
    ]
    if WORKFLOW_BY_SOP[sop].participant_from:
        found.append(people.get("peserta kedua (penjual)", "participant", "umkm"))
    units = WORKFLOW_BY_SOP[sop].unit_from is not None
    for role in STAFF_ROLES:
        found += [
            people.get(f"{role}@{agency}", "staff", role, agency),
            people.get(f"{role}@{other}", "staff_other_agency", role, other),
            # staff of a unit see their unit's cases and those without one (an SOP without units)
            people.get(f"{role}@{agency}/{UNIT}", "staff", role, agency, UNIT),
            people.get(f"{role}@{agency}/{OTHER_UNIT}", "staff_other_unit" if units else "staff", role, agency,
                       OTHER_UNIT),
        ]
    return found


@dataclass
class Variant:
    """A case with one open step: given to the step's role (no assignees), or to one or several people."""

    step: StepDef
    case_id: str
    assignees: tuple[Who, ...]


def step_variants(people: People, sop: str, owner: Who, participant: Who | None) -> list[Variant]:
    definition = SOPS[sop]
    # roles an action of this SOP gives a step to several people of (Action.several): a task row each
    several = {a.assigns for s in definition.steps for a in s.actions if a.several}
    variants = []
    for step in definition.steps:
        if step.applicant_step:
            given = [(owner,)]  # the engine gives an applicant's step to the case's applicant
        elif step.role in APPLICANT_ROLES:
            given = [(participant or owner,)]  # an applicant role on a staff-like step: one named person
        else:
            # the role at large, and one member of it named (an assigning action, e.g. a curator)
            named = people.get(f"{step.role}@{definition.agency} (ditugaskan)", "assignee", step.role,
                               definition.agency)
            given = [(), (named,)]
            if step.role in several:
                given.append((named, people.get(f"{step.role}@{definition.agency} (ditugaskan juga)", "assignee",
                                                step.role, definition.agency)))
        for assignees in given:
            variants.append(Variant(step, open_case(people, sop, step, owner, participant, assignees), assignees))
    return variants


def open_case(people: People, sop: str, step: StepDef, owner: Who, participant: Who | None,
              assignees: tuple[Who, ...]) -> str:
    """The projection of a case waiting on `step`: its row and the step's task rows."""
    definition, workflow = SOPS[sop], WORKFLOW_BY_SOP[sop]
    case_id = f"{sop}-m{next(_serial):05d}"
    data = {}
    if workflow.participant_from and participant is not None:
        data[workflow.participant_from] = {"id": participant.user.id, "name": participant.label}
    with Session(people.api.engine) as session:
        session.add(Case(id=case_id, sop=sop, agency=definition.agency, tracking_code=case_id[-12:].upper(),
                         applicant_id=owner.user.id, applicant_name=owner.label, title="matriks", status="open",
                         stage=step.stage, data=data, unit=UNIT if workflow.unit_from else None))
        session.flush()
        role = owner.role if step.applicant_step else step.role
        for assignee in assignees or (None,):
            session.add(Task(case_id=case_id, agency=definition.agency, step=step.id, title=step.title, role=role,
                             assignee_id=assignee.user.id if assignee else None,
                             actions=[a.id for a in step.actions]))
        session.commit()
    return case_id


def may_see(who: Who) -> bool:
    return who.kind in ("owner", "participant", "assignee", "staff")


def may_decide(who: Who, variant: Variant) -> bool:
    if variant.assignees:
        return any(who.user.id == assignee.user.id for assignee in variant.assignees)
    return who.kind in ("staff", "assignee") and who.role == variant.step.role


def expected_decision(who: Who, variant: Variant) -> int | str:
    if not may_see(who):
        return 404
    return "allowed" if may_decide(who, variant) else 403


def outcome(status: int, detail: object) -> int | str:
    """The answer as the matrix names it: refusals by status; reaching Temporal is "allowed"."""
    if status == 409 and detail == NOT_TAKEN or status in (422, 503):
        return "allowed"
    return status


@pytest.mark.parametrize("sop", [module.definition.id for module in REGISTRY])
async def test_who_sees_and_decides(people: People, sop: str) -> None:
    api = people.api
    who_all = identities(people, sop)
    owner = who_all[0]
    participant = next((w for w in who_all if w.kind == "participant"), None)
    variants = step_variants(people, sop, owner, participant)
    known = {w.user.id for w in who_all}
    for assignee in (a for v in variants for a in v.assignees):
        if assignee.user.id not in known:
            who_all.append(assignee)
            known.add(assignee.user.id)
    wrong: list[str] = []
    checked, tally = 0, Counter()
    for variant in variants:
        for who in who_all:
            seen = await api.http.get(f"/api/v1/cases/{variant.case_id}", headers=who.headers)
            if seen.status_code != (200 if may_see(who) else 404):
                wrong.append(f"view {variant.step.id} as {who.label}: {seen.status_code}")
            action = variant.step.actions[0].id
            decided = await api.decide(who.headers, variant.case_id, variant.step.id, action)
            got = outcome(decided.status_code, decided.json().get("detail"))
            want = expected_decision(who, variant)
            tally[("view", seen.status_code)] += 1
            tally[("decide", got)] += 1
            if got != want:
                given = ", ".join(a.label for a in variant.assignees) or variant.step.role
                wrong.append(f"decide {variant.step.id} ({given}) {action} as {who.label}: want {want}, got "
                             f"{decided.status_code} {decided.json().get('detail')!r:.120}")
            checked += 2
    log.info("%s: %d open steps x %d people x (view, decide) = %d answers: %s", sop, len(variants), len(who_all),
             checked, dict(sorted(tally.items(), key=str)))
    assert wrong == [], f"{len(wrong)} of {checked} answers wrong:\n" + "\n".join(wrong)
    # every open step has someone who may take it: the matrix did reach Temporal, not only refusals
    assert tally[("decide", "allowed")] >= len(variants)
