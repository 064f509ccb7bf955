"""Supervisors' pages for task ownership: the inbox's filters with Ambil / Lepaskan, the reassign form and
the bulk page (in-process), and in a real browser a supervisor who finds a stuck case on the dashboard's
stuck list, reassigns it to a named officer, after which the previous owner is refused and the new one
decides it."""

from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import expect
from sqlmodel import Session, col, select

from core.models import Task, utcnow
from core.models_dashboard import StepRun
from core.models_owners import agency_today
from tests.api.conftest import Api
from tests.api.test_jathil_vendor_api import start
from tests.utils.factories import PASSWORD, jathil_vendor_form, make_user
from tests.web.conftest import LiveSite, Site, csrf_of
from tests.web.test_browser import log_in


async def test_inbox_filters_claim_release_reassign_and_bulk_pages(site: Site, api: Api) -> None:
    applicant = site.user("umkm")
    officer, colleague = site.user("admin_bidang", "ponorogo"), site.user("admin_bidang", "ponorogo")
    supervisor, head = site.user("supervisor", "ponorogo"), site.user("kepala_dinas", "ponorogo")
    applicant_h = await api.login(applicant)
    first = await start(api, applicant_h, business_name="Keripik Tempe Bu Sri")
    second = await start(api, applicant_h, business_name="Sambal Pecel Mbok Darmi")

    async with site.logged_in(officer) as browser:
        page = (await browser.get("/tugas", params={"q": "pecel"})).text
        assert second["id"] in page and first["id"] not in page
        assert "Ambil" in page
        taken = await site.post_form(browser, "/tugas", f"/kasus/{second['id']}/langkah/verify/ambil", {"next": "/tugas"})
        assert taken.status_code == 303 and taken.headers["location"] == "/tugas?pesan=diambil"
        mine = (await browser.get("/tugas", params={"milik": "saya"})).text
        assert second["id"] in mine and first["id"] not in mine and "Diambil oleh Anda" in mine
        assert "Lepaskan" in mine
        bad_date = await browser.get("/tugas", params={"batas": "kemarin"})
        assert "Tanggal tidak valid" in bad_date.text
    async with site.logged_in(colleague) as browser:
        page = (await browser.get("/tugas")).text
        assert f"Diambil oleh {officer.name}" in page  # still seen, marked
        unclaimed = (await browser.get("/tugas", params={"milik": "belum"})).text
        assert first["id"] in unclaimed and second["id"] not in unclaimed
        refused = await site.post_form(browser, "/tugas", f"/kasus/{second['id']}/langkah/verify/lepaskan", {})
        assert refused.status_code == 403
        assert (await browser.get(f"/kasus/{second['id']}/alihkan")).status_code == 403  # not a supervisor

    async with site.logged_in(supervisor) as browser:
        form = (await browser.get(f"/kasus/{second['id']}/alihkan", params={"langkah": "verify"})).text
        assert colleague.name in form and "Kepala Dinas" not in form.split("Alihkan kepada")[1].split("</select>")[0]
        empty = await site.post_form(browser, f"/kasus/{second['id']}/alihkan", f"/kasus/{second['id']}/alihkan",
                                     {"step": "verify", "assignee": ""})
        assert empty.status_code == 422 and "Pilih petugas penerima tugas" in empty.text
        moved = await site.post_form(browser, f"/kasus/{second['id']}/alihkan", f"/kasus/{second['id']}/alihkan",
                                     {"step": "verify", "assignee": str(colleague.id), "reason": "Cuti"})
        assert moved.status_code == 303 and moved.headers["location"] == f"/kasus/{second['id']}?pesan=dialihkan"
        case_page = (await browser.get(moved.headers["location"])).text
        assert "Tugas sudah dialihkan." in case_page and "Dialihkan" in case_page
        # The bulk page: a supervisor may remind; the cancel option is the head's alone.
        bulk = (await browser.get("/kasus-massal")).text
        assert first["id"] in bulk and 'value="cancel"' not in bulk
        reminded = await site.post_form(browser, "/kasus-massal", "/kasus-massal",
                                        {"case_ids": [first["id"], second["id"]], "action": "remind"})
        assert reminded.status_code == 200 and "2 berhasil, 0 ditolak" in reminded.text

    async with site.logged_in(head) as browser:
        token = csrf_of((await browser.get("/kasus-massal")).text)
        done = await browser.post("/kasus-massal", data={"csrf": token, "case_ids": [first["id"], "jathil-vendor-1999-1"],
                                                         "action": "cancel", "reason": "Permohonan ganda"})
        assert done.status_code == 200 and "1 berhasil, 1 ditolak" in done.text
        assert 'data-status="404"' in done.text
    with Session(site.engine) as session:
        assert not session.exec(select(Task).where(Task.case_id == first["id"])).all()


def make_overdue(site: LiveSite, case_id: str) -> None:
    """The case's open step as the projection holds it once its deadline has passed (a day's SLA that ran out)."""
    past = utcnow() - timedelta(hours=2)
    with Session(site.engine) as session:
        for row in session.exec(select(StepRun).where(StepRun.case_id == case_id, col(StepRun.closed_at).is_(None))):
            row.due_at = past
            session.add(row)
        for task in session.exec(select(Task).where(Task.case_id == case_id)):
            task.due_at, task.overdue = past, True
            session.add(task)
        session.commit()


async def decide_as(site: LiveSite, email: str, case_id: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        token = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return await http.post(f"/api/v1/cases/{case_id}/decisions", json={"step": "verify", "action": "forward"},
                               headers=headers)


async def test_a_supervisor_reassigns_a_stuck_case_from_the_dashboard(live_site: LiveSite, chromium: Any) -> None:
    applicant = make_user(live_site.engine, "umkm")
    owner = make_user(live_site.engine, "admin_bidang", "ponorogo", name="Budi Santoso")
    officer = make_user(live_site.engine, "admin_bidang", "ponorogo", name="Siti Rahma")
    supervisor = make_user(live_site.engine, "supervisor", "ponorogo", name="Supervisor Ponorogo")
    async with httpx.AsyncClient(base_url=live_site.url, timeout=30) as http:
        token = await http.post("/api/v1/auth/token", data={"username": applicant.email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        started = await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=headers)
        assert started.status_code == 201, started.text
        case_id = started.json()["id"]
        # Budi took the verification and then left it lying.
        token = await http.post("/api/v1/auth/token", data={"username": owner.email, "password": PASSWORD})
        claimed = await http.post(f"/api/v1/cases/{case_id}/steps/verify/claim",
                                  headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert claimed.status_code == 200, claimed.text
    make_overdue(live_site, case_id)

    context = await chromium.new_context(locale="id-ID")
    page = await context.new_page()
    await log_in(page, live_site, supervisor.email, PASSWORD)
    await page.goto(f"{live_site.url}/dasbor/macet")
    row = page.locator(f'#kasus-macet tr[data-case-id="{case_id}"]')
    await expect(row).to_contain_text("Terlambat")
    await row.get_by_role("link", name="Alihkan").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Alihkan tugas")
    await expect(page.get_by_label("Langkah")).to_have_value("verify")
    await page.get_by_label("Alihkan kepada").select_option(label=f"{officer.name} ({officer.email})")
    await page.get_by_label("Alasan (tercatat di riwayat kasus)").fill("Budi sedang dinas luar")
    await page.get_by_role("button", name="Alihkan").click()
    await expect(page).to_have_url(f"{live_site.url}/kasus/{case_id}?pesan=dialihkan")
    await expect(page.get_by_role("status")).to_have_text("Tugas sudah dialihkan.")
    await expect(page.locator("#open-steps")).to_contain_text(officer.name)
    await expect(page.locator(".timeline")).to_contain_text("Budi sedang dinas luar")
    await context.close()

    refused = await decide_as(live_site, owner.email, case_id)  # the previous owner
    assert refused.status_code == 403, refused.text

    # The new owner finds it in their inbox and decides it on the case page.
    context = await chromium.new_context(locale="id-ID")
    page = await context.new_page()
    await log_in(page, live_site, officer.email, PASSWORD)
    await page.goto(f"{live_site.url}/tugas?milik=saya")
    await expect(page.locator("#inbox")).to_contain_text(case_id)
    await page.locator("#inbox tr", has_text=case_id).get_by_role("link").first.click()
    await page.get_by_role("button", name="Teruskan ke Administrator Utama").click()
    await expect(page).to_have_url(f"{live_site.url}/kasus/{case_id}?pesan=keputusan")
    await expect(page.locator("#stage")).to_have_text("Persetujuan")
    await context.close()
    async with httpx.AsyncClient(base_url=live_site.url, timeout=30) as http:
        token = await http.post("/api/v1/auth/token", data={"username": supervisor.email, "password": PASSWORD})
        view = (await http.get(f"/api/v1/cases/{case_id}",
                               headers={"Authorization": f"Bearer {token.json()['access_token']}"})).json()
    assert [(h["actor"], h["action"]) for h in view["history"]][-3:] == [
        (owner.name, "claim"), (supervisor.name, "reassign"), (officer.name, "forward")]


async def test_the_delegation_page(site: Site) -> None:
    officer, colleague = site.user("admin_bidang", "ponorogo"), site.user("admin_bidang", "ponorogo")
    today = agency_today("ponorogo").isoformat()
    async with site.logged_in(officer) as browser:
        backwards = await site.post_form(browser, "/delegasi", "/delegasi", {
            "delegate": colleague.email, "starts_on": "2099-01-02", "ends_on": "2099-01-01"})
        assert backwards.status_code == 422 and "Tanggal selesai tidak boleh sebelum tanggal mulai" in backwards.text
        unknown = await site.post_form(browser, "/delegasi", "/delegasi", {
            "delegate": "", "starts_on": today, "ends_on": today})
        assert unknown.status_code == 422
        saved = await site.post_form(browser, "/delegasi", "/delegasi", {
            "delegate": colleague.email, "starts_on": today, "ends_on": today, "reason": "Cuti"})
        assert saved.status_code == 303 and saved.headers["location"] == "/delegasi?pesan=disimpan"
        page = (await browser.get("/delegasi?pesan=disimpan")).text
        assert "Delegasi sudah disimpan." in page and colleague.name in page and "Berlaku hari ini" in page
        delegation_id = page.split('action="/delegasi/')[1].split("/hapus")[0]
        gone = await site.post_form(browser, "/delegasi", f"/delegasi/{delegation_id}/hapus", {})
        assert gone.status_code == 303 and "Belum ada delegasi." in (await browser.get("/delegasi")).text
