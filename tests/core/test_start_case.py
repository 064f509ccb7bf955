"""Starting a case: one round trip (update-with-start) where the server has it, start + sync where it
does not, and a case started while no worker runs is reported as started, not as failed."""

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from core import cases
from core.cases import CaseNotConfirmed, start_case
from core.config import Settings
from core.db import engine_for, migrate, session_scope
from core.forms import check
from core.messages import Person
from core.models import Case, Task
from tests.utils.factories import jathil_vendor_form
from worker import build_worker
from workflows import SOPS

APPLICANT = Person(id=None, name="Sri Wahyuni", role="umkm", email="sri@contoh.id")


def vendor_data() -> dict:
    return check(SOPS["jathil-vendor"].start_form, jathil_vendor_form()).data


@pytest.mark.parametrize("one_round_trip", [True, False])
async def test_start_returns_after_the_first_projection(dev_env: WorkflowEnvironment, settings: Settings,
                                                        one_round_trip: bool) -> None:
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    cases._one_round_trip[dev_env.client] = one_round_trip
    try:
        async with build_worker(dev_env.client, settings, engine):
            case_id = await start_case(dev_env.client, settings, engine, sop="jathil-vendor", applicant=APPLICANT,
                                       data=vendor_data())
        with session_scope(engine) as session:  # written before start_case returned
            assert session.get(Case, case_id).stage == "Verifikasi"
            assert [t.step for t in session.exec(select(Task).where(Task.case_id == case_id))] == ["verify"]
    finally:
        cases._one_round_trip.pop(dev_env.client, None)


async def test_a_start_without_a_worker_is_started_not_failed(dev_env: WorkflowEnvironment, settings: Settings) -> None:
    """Nobody writes the projection in time: CaseNotConfirmed with the id of the case Temporal holds (the
    API keeps its files and says it is recorded), never the RPC error that makes the API undo the intake."""
    migrate(settings.database_url)
    settings = settings.model_copy(update={"temporal_timeout": 2.0})
    with pytest.raises(CaseNotConfirmed) as pending:
        await start_case(dev_env.client, settings, engine_for(settings.database_url), sop="jathil-vendor",
                         applicant=APPLICANT, data=vendor_data())
    described = await dev_env.client.get_workflow_handle(pending.value.case_id).describe()
    assert described.workflow_type == "jathil-vendor"
    await dev_env.client.get_workflow_handle(pending.value.case_id).terminate()
