"""Adding an SOP is one module and one registration: the catalogue, the start page, the inbox and the
worker all find it, with nothing else edited."""

from temporalio.testing import WorkflowEnvironment

from api.pages.web import SESSION_COOKIE
from core.config import Settings
from tests.api.conftest import open_api
from tests.utils import throwaway_sop
from workflows import REGISTRY


async def test_a_registered_sop_is_found_everywhere(dev_env: WorkflowEnvironment, settings: Settings) -> None:
    with REGISTRY.registered(throwaway_sop.SOP):
        async with open_api(dev_env, settings) as api:  # the worker is built from the registry now
            catalogue = (await api.http.get("/api/v1/sops")).json()
            assert "throwaway" in [s["id"] for s in catalogue]

            _, applicant_h = await api.user("umkm")
            session = {"Cookie": f"{SESSION_COOKIE}={applicant_h['Authorization'].removeprefix('Bearer ')}"}
            page = await api.http.get("/layanan/throwaway/ajukan", headers=session)
            assert page.status_code == 200 and "Pokok permohonan uji" in page.text  # the label from the form

            refused = await api.http.post("/api/v1/sops/throwaway/cases", json={}, headers=applicant_h)
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "topic"]
            started = await api.http.post("/api/v1/sops/throwaway/cases", json={"topic": "uji"}, headers=applicant_h)
            assert started.status_code == 201, started.text
            case_id = started.json()["id"]

            _, officer_h = await api.user("admin_bidang", "ponorogo")
            inbox = (await api.http.get("/api/v1/tasks", headers=officer_h)).json()
            assert [t["case_id"] for t in inbox] == [case_id]
            done = await api.decide(officer_h, case_id, "handle", "done")
            assert done.status_code == 200 and done.json()["status"] == "completed"  # the worker ran it
    assert "throwaway" not in [m.id for m in REGISTRY]
