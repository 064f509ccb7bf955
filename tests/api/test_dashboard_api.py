"""The supervisors' dashboard API: figures of a real case run through the engine, stuck cases with their
links, roles and agencies, and bad periods."""

from collections.abc import AsyncIterator
from datetime import date, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.main import create_app
from core.config import Settings
from core.db import engine_for
from core.models import utcnow
from tests.api.conftest import Api
from tests.utils.dashboard import Seeded
from tests.utils.factories import PASSWORD, jathil_vendor_form, make_user
from tests.web.conftest import csrf_of

JAKARTA = ZoneInfo("Asia/Jakarta")
DASHBOARD, STUCK = "/api/v1/dashboard", "/api/v1/dashboard/stuck"


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process without Temporal: the dashboard reads only the projection."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://alur.test") as client:
        yield client


async def headers_for(http: httpx.AsyncClient, settings: Settings, role: str, agency: str | None) -> dict[str, str]:
    user = make_user(engine_for(settings.database_url), role, agency)
    response = await http.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_case_run_through_the_engine_shows_its_closed_step(api: Api) -> None:
    _, applicant = await api.user("umkm")
    _, officer = await api.user("admin_bidang", "ponorogo")
    _, supervisor = await api.user("supervisor", "ponorogo")
    _, other_head = await api.user("kepala_dinas", "jatim")
    started = await api.http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=applicant)
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    forwarded = await api.decide(officer, case_id, "verify", "forward")
    assert forwarded.status_code == 200, forwarded.text

    response = await api.http.get(DASHBOARD, params={"sop": "jathil-vendor"}, headers=supervisor)
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["agency"] == "ponorogo" and board["date_to"] == utcnow().astimezone(JAKARTA).date().isoformat()
    [sop] = board["sops"]
    steps = {s["step"]: s for s in sop["steps"]}
    assert (sop["open"], sop["opened"], sop["closed"]) == (1, 1, 0)
    verify = steps["verify"]
    assert (verify["open"], verify["closed"], verify["with_standard"], verify["on_time"]) == (0, 1, 1, 1)
    assert verify["on_time_percent"] == 100.0 and verify["standard"] == {"minutes": 480, "text": "1 hari kerja"}
    assert verify["median"]["minutes"] >= 0 and verify["p90"] == verify["median"]
    assert (steps["approve"]["open"], steps["approve"]["closed"]) == (1, 0)
    assert sum(w["opened"] for w in sop["weeks"]) == 1

    # Another agency's head sees none of it.
    theirs = (await api.http.get(DASHBOARD, params={"sop": "jathil-vendor"}, headers=other_head)).json()
    assert theirs["agency"] == "jatim" and (theirs["sops"][0]["open"], theirs["sops"][0]["opened"]) == (0, 0)
    assert all(s["closed"] == 0 for s in theirs["sops"][0]["steps"])
    default = (await api.http.get(DASHBOARD, headers=other_head)).json()
    assert "jathil-vendor" not in [s["sop"] for s in default["sops"]]  # not their SOP, no case of theirs


@pytest.mark.parametrize("role, agency", [("umkm", None), ("petugas", "ponorogo"), ("admin_utama", "ponorogo")])
async def test_other_roles_are_refused(http: httpx.AsyncClient, settings: Settings, role: str, agency: str | None) -> None:
    headers = await headers_for(http, settings, role, agency)
    for path in (DASHBOARD, STUCK):
        response = await http.get(path, headers=headers)
        assert response.status_code == 403, response.text
    assert (await http.get(DASHBOARD)).status_code == 401


@pytest.mark.parametrize("role", ["supervisor", "kepala_dinas", "kepala_bidang"])
async def test_the_three_roles_see_their_agency(http: httpx.AsyncClient, settings: Settings, role: str) -> None:
    response = await http.get(DASHBOARD, headers=await headers_for(http, settings, role, "jatim"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agency"] == "jatim" and "gallery-curation" in [s["sop"] for s in body["sops"]]
    assert (date.fromisoformat(body["date_to"]) - date.fromisoformat(body["date_from"])).days == 29


async def test_bad_periods_and_sops_are_422_with_their_field(http: httpx.AsyncClient, settings: Settings) -> None:
    headers = await headers_for(http, settings, "supervisor", "ponorogo")
    for params, field in [({"from": "2026-13-01"}, "from"), ({"to": "kemarin"}, "to"),
                          ({"from": "2026-08-10", "to": "2026-08-01"}, "from"),
                          ({"from": "2020-01-01", "to": "2026-01-01"}, "from"), ({"sop": "tidak-ada"}, "sop"),
                          ({"to": "9999-12-31"}, "to"), ({"from": "0001-01-01"}, "from")]:
        response = await http.get(DASHBOARD, params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", field], params
    assert (await http.get(STUCK, params={"sop": "tidak-ada"}, headers=headers)).status_code == 422


async def test_stuck_cases_overdue_or_quiet_with_their_links(http: httpx.AsyncClient, settings: Settings) -> None:
    engine = engine_for(settings.database_url)
    now = utcnow()
    long_ago = now - timedelta(days=30)  # at least 3 working days, whatever today is
    late = Seeded(engine, "jathil-vendor-2026-000001", now - timedelta(hours=3))
    late.open("verify", now - timedelta(hours=3), due=now - timedelta(hours=1))
    quiet = Seeded(engine, "jathil-vendor-2026-000002", long_ago).open("verify", long_ago)
    moving = Seeded(engine, "jathil-vendor-2026-000003", long_ago).open("verify", long_ago)
    moving.move(now - timedelta(minutes=5), "verify", "upload")
    stepped = Seeded(engine, "jathil-vendor-2026-000004", long_ago).open("verify", long_ago)
    stepped.steps.clear()
    stepped.open("approve", now - timedelta(minutes=5), event=None)  # verify closed, approve opened just now
    reminded = Seeded(engine, "jathil-vendor-2026-000005", long_ago).open("verify", long_ago)
    reminded.move(now - timedelta(minutes=5), "verify", "reminder")  # a timer's reminder is no movement
    elsewhere = Seeded(engine, "gallery-curation-2026-000001", long_ago, agency="jatim", sop="gallery-curation")
    elsewhere.open("check", long_ago, due=long_ago + timedelta(days=1))

    response = await http.get(STUCK, headers=await headers_for(http, settings, "kepala_bidang", "ponorogo"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["after_days"] == 3 and body["agency"] == "ponorogo"
    found = {item["case_id"]: item for item in body["items"]}
    assert set(found) == {late.case_id, quiet.case_id, reminded.case_id}  # not the moving ones, nor jatim's
    assert body["items"][0]["case_id"] == late.case_id and body["items"][0]["overdue"] is True
    item = found[quiet.case_id]
    assert item["overdue"] is False and item["quiet_days"] >= 3 and item["step"] == "verify"
    assert item["step_title"] == "Verifikasi persyaratan" and item["role_title"] == "Administrator Bidang"
    assert item["case_page"] == f"/kasus/{quiet.case_id}" and item["reassign_page"] == f"/kasus/{quiet.case_id}/alihkan"
    assert item["temporal_url"] == f"http://localhost:8233/namespaces/default/workflows/{quiet.case_id}"
    queries = {q["query"]: q["url"] for q in body["temporal_queries"]}
    query = 'AlurSop = "jathil-vendor" AND AlurAgency = "ponorogo" AND AlurOverdue = true'
    assert queries[query] == "http://localhost:8233/namespaces/default/workflows?query=" + quote(query, safe="")
    assert "%22jathil-vendor%22%20AND" in queries[query]

    configured = settings.model_copy(update={"stuck_after_days": 40, "temporal_ui_url": "https://ui.alur.test/"})
    transport = httpx.ASGITransport(app=create_app(configured))
    async with httpx.AsyncClient(transport=transport, base_url="http://alur.test") as other:
        body = (await other.get(STUCK, headers=await headers_for(other, settings, "supervisor", "ponorogo"))).json()
    assert [i["case_id"] for i in body["items"]] == [late.case_id]  # only the overdue one: none quiet 40 days
    assert body["items"][0]["temporal_url"].startswith("https://ui.alur.test/namespaces/default/workflows/")


async def page_login(http: httpx.AsyncClient, settings: Settings, role: str, agency: str | None) -> None:
    user = make_user(engine_for(settings.database_url), role, agency)
    token = csrf_of((await http.get("/masuk")).text)
    response = await http.post("/masuk", data={"csrf": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 303, response.text


async def test_the_pages_draw_charts_tables_and_stuck_rows(http: httpx.AsyncClient, settings: Settings) -> None:
    engine = engine_for(settings.database_url)
    now = utcnow()
    quiet = Seeded(engine, "jathil-vendor-2026-000021", now - timedelta(days=30)).open("verify", now - timedelta(days=30))
    done = Seeded(engine, "jathil-vendor-2026-000022", now - timedelta(days=2)).open("verify", now - timedelta(days=2))
    done.close("verify", now - timedelta(days=1), case_closes=True)
    await page_login(http, settings, "supervisor", "ponorogo")

    page = await http.get("/dasbor", params={"layanan": "jathil-vendor"})
    assert page.status_code == 200, page.text
    html = page.text
    assert '<a href="/dasbor">Dasbor</a>' in html and "Dasbor layanan" in html
    assert html.count("<svg") == 2 and "Ketepatan waktu per langkah: Pendaftaran Penjual JATHIL MART" in html and "<script" not in html
    assert 'data-step="verify"' in html and "Verifikasi persyaratan" in html
    assert 'href="/dasbor/survei"' in html and "/dasbor/ekspor/kepatuhan.xlsx?layanan=jathil-vendor&amp;dari=" in html

    bad = await http.get("/dasbor", params={"dari": "31-12-2026"})
    assert bad.status_code == 422 and "Tanggal tidak valid" in bad.text and "<svg" not in bad.text
    reversed_ = await http.get("/dasbor", params={"dari": "2026-08-10", "sampai": "2026-08-01"})
    assert reversed_.status_code == 422 and "Tanggal awal tidak boleh sesudah tanggal akhir" in reversed_.text

    stuck = await http.get("/dasbor/macet")
    assert stuck.status_code == 200, stuck.text
    assert f'data-case-id="{quiet.case_id}"' in stuck.text and f'data-case-id="{done.case_id}"' not in stuck.text
    assert f'href="/kasus/{quiet.case_id}/alihkan?langkah=verify">Alihkan</a>' in stuck.text
    assert f'href="http://localhost:8233/namespaces/default/workflows/{quiet.case_id}"' in stuck.text
    assert "AlurOverdue%20%3D%20true" in stuck.text

    export = await http.get("/dasbor/ekspor/kasus.csv", params={"layanan": "jathil-vendor"})
    assert export.status_code == 200 and export.headers["content-type"] == "text/csv; charset=utf-8"
    assert quiet.case_id not in export.text and done.case_id in export.text  # opened in the last 30 days only


async def test_the_pages_refuse_other_roles(http: httpx.AsyncClient, settings: Settings) -> None:
    await page_login(http, settings, "petugas", "ponorogo")
    home = await http.get("/")
    assert 'href="/dasbor"' not in home.text
    for path in ("/dasbor", "/dasbor/macet", "/dasbor/ekspor/kasus.csv"):
        response = await http.get(path)
        assert response.status_code == 403 and "Dasbor hanya untuk supervisor" in response.text


async def test_the_endpoints_are_published_in_the_openapi(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/api/v1/openapi.json")).json()["paths"]
    ok = paths[DASHBOARD]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Dashboard"}
    assert paths[STUCK]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("StuckCases")
    assert [p["name"] for p in paths[DASHBOARD]["get"]["parameters"]] == ["sop", "from", "to"]
    for name in ("cases", "compliance"):
        assert set(paths[f"/api/v1/exports/{name}.csv"]["get"]["responses"]["200"]["content"]) >= {
            "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
