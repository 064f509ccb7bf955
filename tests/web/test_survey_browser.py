"""The satisfaction survey in a real browser on a phone-sized screen: the applicant of a case just approved
follows the link in the invitation e-mail, answers the nine elements and is thanked; the link then says
it was used."""

import re
from typing import Any

import httpx
from playwright.async_api import expect

from activities.mailsink import MailSink
from core.models_survey import ELEMENT_KEYS
from core.survey import ELEMENTS
from tests.utils.factories import PASSWORD, make_user
from tests.utils.waiting import eventually
from tests.web.conftest import LiveSite
from tests.web.test_standard_browser import start_case


async def decide(site: LiveSite, email: str, case_id: str, step: str, action: str) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        token = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        decided = await http.post(f"/api/v1/cases/{case_id}/decisions", json={"step": step, "action": action},
                                  headers=headers)
        assert decided.status_code == 200, decided.text


async def test_the_applicant_answers_the_survey_from_the_invitation(live_site: LiveSite, chromium: Any,
                                                                    mail_sink: MailSink) -> None:
    applicant = make_user(live_site.engine, "umkm")
    case_id = await start_case(live_site, applicant.email)
    await decide(live_site, make_user(live_site.engine, "admin_bidang", "ponorogo").email, case_id, "verify", "forward")
    await decide(live_site, make_user(live_site.engine, "admin_utama", "ponorogo").email, case_id, "approve", "approve")
    (mail,) = await eventually(lambda: [m for m in mail_sink.messages()
                                        if applicant.email in m["to"] and "Survei kepuasan" in m["subject"]])
    link = re.search(rf"{re.escape(live_site.url)}/survei/\S+", mail["text"])
    assert link, mail["text"]

    context = await chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = await context.new_page()
    await page.goto(link.group(0))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Survei Kepuasan Masyarakat")
    await page.get_by_role("button", name="Kirim penilaian").click()  # nothing chosen yet
    await expect(page.get_by_text("Pilih salah satu nilai").first).to_be_visible()

    for n, key in enumerate(ELEMENT_KEYS):
        group = page.get_by_role("group", name=f"{n + 1}. {ELEMENTS[key]}")
        await group.get_by_label("4 — Sangat baik" if n % 2 else "3 — Baik").check()
    await page.get_by_label("Saran dan masukan (tidak wajib)").fill("Pelayanan cepat, ruang tunggu perlu kipas.")
    await page.get_by_role("button", name="Kirim penilaian").click()
    await expect(page.get_by_role("status")).to_have_text("Terima kasih, penilaian Anda sudah kami terima.")
    await expect(page.get_by_role("button", name="Kirim penilaian")).to_have_count(0)

    await page.goto(link.group(0))  # the link again: used
    await expect(page.get_by_role("alert")).to_contain_text("sudah diisi")
    await context.close()
