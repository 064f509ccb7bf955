"""`alur rebuild-projection`: the projection lost or corrupted is rebuilt from Temporal, equal to what it
was, and a second run changes nothing.

Cases in every shape: completed, rejected, waiting at a second step, returned to the applicant, and an
e-order draft saved several times. Then rows are deleted and others corrupted behind the worker's back.
"""

from sqlalchemy import delete, update
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from core.db import session_scope
from core.models import Case, CaseEvent, Task
from core.models_dashboard import StepRun
from tests.api.conftest import open_api
from tests.api.test_jathil_vendor_api import start
from tests.faults.conftest import address_of, alur, projection
from tests.utils.eorder import dki_staff, ok, start_vendor
from tests.utils.factories import eorder_profile


async def test_rebuild_restores_lost_and_corrupted_rows_and_is_idempotent(
        dev_env: WorkflowEnvironment, settings: Settings, figures) -> None:
    async with open_api(dev_env, settings) as api:
        _, field_h = await api.user("admin_bidang", "ponorogo")
        _, main_h = await api.user("admin_utama", "ponorogo")
        ids = {}
        for name in ("completed", "rejected", "approving", "returned", "verifying"):
            _, applicant_h = await api.user("umkm")
            ids[name] = (await start(api, applicant_h))["id"]
        for name in ("completed", "rejected", "approving"):
            await ok(await api.decide(field_h, ids[name], "verify", "forward"))
        await ok(await api.decide(main_h, ids["completed"], "approve", "approve"))
        await ok(await api.decide(main_h, ids["rejected"], "approve", "reject", reason="Bukan produk sendiri"))
        await ok(await api.decide(field_h, ids["returned"], "verify", "return", reason="NIB salah"))
        await dki_staff(api)
        _, vendor_h = await api.user("umkm")
        draft = await start_vendor(api, vendor_h)
        profile = eorder_profile()
        for name in ("business_name", "phone", "address"):
            await ok(await api.decide(vendor_h, draft["id"], "fill_profile", "save", data={name: profile[name]}))
        ids["draft"] = draft["id"]

        address = address_of(dev_env.client)
        before = projection(api.engine)
        assert set(ids.values()) <= set(before)

        first = await alur(settings, address, "rebuild-projection")
        assert first.returncode == 0, first.stderr
        assert "0 rebuilt" in first.stdout and f"{len(before)} unchanged" in first.stdout, first.stdout
        assert projection(api.engine) == before

        with session_scope(api.engine) as session:
            for lost in (ids["completed"], ids["approving"]):  # every row of two cases
                session.exec(delete(CaseEvent).where(col(CaseEvent.case_id) == lost))
                session.exec(delete(Task).where(col(Task.case_id) == lost))
                session.exec(delete(Case).where(col(Case.id) == lost))
                session.exec(delete(StepRun).where(col(StepRun.case_id) == lost))
            session.exec(update(Case).where(col(Case.id) == ids["returned"]).values(stage="Persetujuan", overdue=True))
            session.exec(update(Case).where(col(Case.id) == ids["rejected"]).values(status="open"))
            session.exec(delete(CaseEvent).where(col(CaseEvent.case_id) == ids["draft"], col(CaseEvent.seq) == 3))
            session.exec(update(CaseEvent).where(col(CaseEvent.case_id) == ids["verifying"])
                         .values(action="approve", actor_name="Orang lain"))
            session.exec(update(Task).where(col(Task.case_id) == ids["draft"]).values(role="satpel"))
            session.commit()
        assert projection(api.engine) != before

        rebuilt = await alur(settings, address, "rebuild-projection")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "6 rebuilt" in rebuilt.stdout, rebuilt.stdout
        assert projection(api.engine) == before
        with session_scope(api.engine) as session:  # the dashboard's run of the open step is back
            runs = session.exec(select(StepRun).where(col(StepRun.case_id) == ids["approving"])).all()
        assert [(r.step, r.closed_at) for r in runs] == [("approve", None)]

        again = await alur(settings, address, "rebuild-projection")
        assert again.returncode == 0 and "0 rebuilt" in again.stdout, again.stdout
        assert projection(api.engine) == before
        figures(f"rebuild-projection after 2 cases lost and 4 corrupted: {rebuilt.stdout.strip()}; "
                f"again: {again.stdout.strip().rpartition(': ')[2]}")

        # The API reads the rebuilt rows.
        view = (await api.http.get(f"/api/v1/cases/{ids['approving']}", headers=main_h)).json()
        assert view["stage"] == "Persetujuan" and [s["step"] for s in view["open_steps"]] == ["approve"]
        assert [h["action"] for h in view["history"]] == ["submitted", "forward"]
