"""Every step on the case page as its acting officer sees it: the fields its decision needs, or a link to
the page where that step is decided. And every step of every SOP is decided in exactly one way."""

import httpx
from sqlmodel import select

from api.pages.fields import step_fields
from core.db import session_scope
from core.forms import Form
from core.models import Case, User
from tests.api.conftest import Api
from tests.utils.consultation import START as CONSULTATION, meeting_at, multipart, request_form, respondent
from tests.utils.eorder import Staff, ok, start_product, start_vendor
from tests.utils.factories import eorder_profile
from tests.utils.gallery import curation, multipart_start
from tests.utils.waiting import eventually
from tests.web.conftest import Site
from workflows import SOPS
from workflows.coaching import AdviceForm, CoachingHeld, CoachingReport, RegisterForm
from workflows.consultation import (
    AbsenceForm, AgreementForm, ConsultForm, DisagreementForm, IncompleteForm, ReportForm, ScheduleForm,
)
from workflows.eorder_product import Product
from workflows.eorder_vendor import VendorProfile
from workflows.gallery_curation import CurationForm, DisplayForm, ReferForm, ReturnDocumentsForm, SampleForm
from workflows.jathil_order import InvalidForm, ReleaseForm, ShipForm
from workflows.jathil_vendor import JathilVendorForm
from workflows.service_complaint import InputForm, RatingForm, ResolutionForm, ResponseForm

# Steps whose actions send no data: the buttons (and the reason) are all their decision needs.
BUTTONS_ONLY = {
    ("jathil-vendor", "verify"), ("jathil-vendor", "approve"), ("eorder-vendor", "satpel_check"),
    ("eorder-vendor", "activate"), ("eorder-product", "satpel_publish"), ("gallery-curation", "revise"),
    ("referral", "acknowledge"), ("referral", "close"), ("jathil-order", "receive"), ("jathil-order", "cod_paid"),
    ("jathil-order", "resolve"), ("service-complaint", "admin_check"), ("consultation", "revise"),
    ("coaching", "forward"),
}
# What a step's decision carries, as the SOP's own Form checks it.
NEEDS: dict[tuple[str, str], type[Form]] = {
    ("jathil-vendor", "revise"): JathilVendorForm,
    ("eorder-vendor", "fill_profile"): VendorProfile,
    ("eorder-product", "draft"): Product,
    ("gallery-curation", "check_documents"): ReturnDocumentsForm,
    ("gallery-curation", "receive_sample"): SampleForm,
    ("gallery-curation", "curate_staff"): CurationForm,
    ("gallery-curation", "curate_expert"): CurationForm,
    ("gallery-curation", "refer"): ReferForm,
    ("gallery-curation", "display"): DisplayForm,
    ("jathil-order", "verify"): InvalidForm,
    ("jathil-order", "ship"): ShipForm,
    ("jathil-order", "release"): ReleaseForm,
    ("service-complaint", "input"): InputForm,
    ("service-complaint", "respond"): ResponseForm,
    ("service-complaint", "resolve"): ResolutionForm,
    ("service-complaint", "rate"): RatingForm,
    ("consultation", "check_file"): IncompleteForm,
    ("consultation", "consult"): ConsultForm,
    ("consultation", "schedule"): ScheduleForm,
    ("consultation", "facilitate"): AgreementForm,  # and DisagreementForm, AbsenceForm: see test_consultation_steps
    ("consultation", "report"): ReportForm,
    ("coaching", "register"): RegisterForm,
    ("coaching", "advise"): AdviceForm,
    ("coaching", "coach"): CoachingHeld,
    ("coaching", "report"): CoachingReport,
}
SAMPLE = {"description": "2 bungkus keripik 200 g", "quantity": 2}
STEPS = {(sop, step.id): step for sop, definition in SOPS.items() for step in definition.steps}


def test_every_step_is_a_form_a_page_or_buttons() -> None:
    forms = {key for key in STEPS if step_fields(*key)}
    pages = {key for key, step in STEPS.items() if step.page}
    assert forms | pages | BUTTONS_ONLY == set(STEPS)
    assert not forms & pages and not forms & BUTTONS_ONLY and not pages & BUTTONS_ONLY
    assigning = {key for key, step in STEPS.items() if any(action.assigns for action in step.actions)}
    assert assigning <= pages  # e.g. the Satpel chooses the PJLP from the agency's list on its own page


def test_step_forms_have_every_field_of_their_decision() -> None:
    for key, form in NEEDS.items():
        assert set(form.model_fields) <= {f.name for f in step_fields(*key)}, key


def section(page: str, step: str) -> str:
    start = page.index(f'id="decide-{step}"')
    return page[start:page.index("</section>", start)]


async def shows_form(client: httpx.AsyncClient, case_id: str, step: str, form: type[Form]) -> str:
    """The case page's decision form of `step`, with an input for every field of `form`."""
    response = await client.get(f"/kasus/{case_id}")
    assert response.status_code == 200, response.text
    found = section(response.text, step)
    assert f'action="/kasus/{case_id}/keputusan"' in found
    assert all(f'name="{name}"' in found for name in form.model_fields), found
    return found


async def shows_link(client: httpx.AsyncClient, case_id: str, step: str, url: str, text: str) -> None:
    """No decision form on the case page for `step`: a link to its own page, which opens."""
    found = section((await client.get(f"/kasus/{case_id}")).text, step)
    assert f'href="{url}">{text}</a>' in found and "<form" not in found
    assert (await client.get(url)).status_code == 200


async def test_eorder_steps(site: Site, api: Api) -> None:
    applicant, satpel, pjlp = site.user("umkm"), site.user("satpel", "dki"), site.user("pjlp", "dki")
    _, admin = await api.user("admin_eorder", "dki")
    staff = Staff(await api.login(satpel), pjlp, await api.login(pjlp), admin)
    applicant_h = await api.login(applicant)
    case_id = (await start_vendor(api, applicant_h))["id"]
    async with site.logged_in(applicant) as client:
        await shows_form(client, case_id, "fill_profile", VendorProfile)
    await ok(await api.decide(applicant_h, case_id, "fill_profile", "confirm", data=eorder_profile()))
    async with site.logged_in(satpel) as client:
        await shows_link(client, case_id, "assign_pjlp", f"/eorder/registrasi/{case_id}/pjlp",
                         "Buka halaman penunjukan PJLP")
    await ok(await api.decide(staff.satpel, case_id, "assign_pjlp", "assign", data={"pjlp": pjlp.email}))
    async with site.logged_in(pjlp) as client:
        await shows_link(client, case_id, "pjlp_check", f"/eorder/periksa/{case_id}", "Buka halaman pemeriksaan")
    await ok(await api.decide(staff.pjlp, case_id, "pjlp_check", "confirm"))
    await ok(await api.decide(staff.satpel, case_id, "satpel_check", "confirm"))
    await ok(await api.decide(staff.admin, case_id, "activate", "activate"))

    product_id = (await start_product(api, applicant_h))["id"]
    async with site.logged_in(applicant) as client:
        await shows_form(client, product_id, "draft", Product)
    await ok(await api.decide(applicant_h, product_id, "draft", "confirm"))
    async with site.logged_in(pjlp) as client:
        await shows_link(client, product_id, "pjlp_verify", f"/eorder/periksa/{product_id}", "Buka halaman pemeriksaan")


def referrals(site: Site, case_id: str) -> list[str]:
    with session_scope(site.engine) as session:
        return list(session.exec(select(Case.id).where(Case.parent_id == case_id)))


async def start_gallery(api: Api, applicant: User) -> str:
    response = await api.http.post("/api/v1/sops/gallery-curation/cases", headers=await api.login(applicant),
                                   **multipart_start())
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_gallery_steps(site: Site, api: Api) -> None:
    applicant, officer, expert = site.user("umkm"), site.user("staf_galeri", "jatim"), site.user("kurator", "jatim")
    staff_h, expert_h = await api.login(officer), await api.login(expert)
    passing, failing = await start_gallery(api, applicant), await start_gallery(api, applicant)
    async with site.logged_in(officer) as staff, site.logged_in(expert) as curator:
        found = await shows_form(staff, passing, "check_documents", ReturnDocumentsForm)
        assert 'type="checkbox" name="missing" value="nib"><span>NIB</span>' in found
        for case_id, verdict in ((passing, "pass"), (failing, "fail")):
            await ok(await api.decide(staff_h, case_id, "check_documents", "accept"))
            if case_id == passing:
                await shows_form(staff, case_id, "receive_sample", SampleForm)
            await ok(await api.decide(staff_h, case_id, "receive_sample", "receive", data=SAMPLE))
            if case_id == passing:
                await shows_form(staff, case_id, "curate_staff", CurationForm)
                await shows_form(curator, case_id, "curate_expert", CurationForm)
            form = curation(verdict, notes="Label belum lengkap" if verdict == "fail" else "")
            await ok(await api.decide(staff_h, case_id, "curate_staff", "submit", data=form))
            await ok(await api.decide(expert_h, case_id, "curate_expert", "submit", data=form))
        found = await shows_form(staff, passing, "display", DisplayForm)
        assert 'name="price" value="15000"' in found  # the applicant's price, to confirm or change
        found = await shows_form(staff, failing, "refer", ReferForm)
        assert 'name="facilitations" value="halal"><span>Fasilitasi Sertifikasi Halal</span>' in found
        referred = await site.post_form(staff, f"/kasus/{failing}", f"/kasus/{failing}/keputusan",
                                        {"step": "refer", "action": "refer", "facilitations": ["halal", "pirt"]})
        assert referred.status_code == 303, referred.text
        await eventually(lambda: len(referrals(site, failing)) == 2)  # the workflow opens them after the update
        page = (await staff.get(f"/kasus/{failing}")).text
        assert page.count('<li><a href="/kasus/referral-') == 2
        # what the workflow wrote, in Indonesian: no raw records, no ids
        assert "<dt>Hasil kurasi – Hasil</dt><dd>Tidak lolos</dd>" in page and "{'" not in page
        assert "Fasilitasi Perizinan P-IRT</dd>" in page and "<strong>Tidak lolos kurasi</strong> · Pengumuman" in page


async def test_consultation_steps(site: Site, api: Api) -> None:
    applicant, officer = site.user("umkm"), site.user("petugas", "jombang")
    applicant_h, officer_h = await api.login(applicant), await api.login(officer)
    body = request_form(kind="pengaduan", respondent=respondent("cv.rejeki@contoh.id"))
    started = await api.http.post(CONSULTATION, headers=applicant_h, **multipart(body))
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    async with site.logged_in(officer) as staff:
        found = await shows_form(staff, case_id, "check_file", IncompleteForm)
        assert 'type="checkbox" name="missing" value="ktp"><span>Fotokopi KTP</span>' in found
        await ok(await api.decide(officer_h, case_id, "check_file", "complete"))
        await shows_form(staff, case_id, "schedule", ScheduleForm)
        decide = f"/kasus/{case_id}/keputusan"
        naive = await site.post_form(staff, f"/kasus/{case_id}", decide, {
            "step": "schedule", "action": "schedule", "starts_at": meeting_at(3)[:16], "place": "Aula Dinas"})
        assert naive.status_code == 422 and "Sertakan zona waktu" in section(naive.text, "schedule")
        scheduled = await site.post_form(staff, f"/kasus/{case_id}", decide, {
            "step": "schedule", "action": "schedule", "starts_at": meeting_at(3), "place": "Aula Dinas"})
        assert scheduled.status_code == 303, scheduled.text
        for form in (AgreementForm, DisagreementForm, AbsenceForm):
            found = await shows_form(staff, case_id, "facilitate", form)
        assert 'value="tidak_hadir"' in found
        agreed = await site.post_form(staff, f"/kasus/{case_id}", decide, {
            "step": "facilitate", "action": "sepakat", "minutes": "Kedua pihak hadir.", "terms": "Dibayar lunas.",
            "recommendation": "", "absent": ""})
        assert agreed.status_code == 303, agreed.text
        await shows_form(staff, case_id, "report", ReportForm)
        page = (await staff.get(f"/kasus/{case_id}")).text
        assert "<dd>Sepakat</dd>" in page and "{'" not in page


async def test_coaching_steps(site: Site, api: Api) -> None:
    """The disposition desks that name a person choose from the agency's staff on their own page; the
    coaching and its report are forms on the case page of each named officer, of no one else."""
    front, secretary, head, back, division, kasi, first, second, bystander = (
        site.user(role, "sijunjung") for role in ("front_office", "sekretaris", "kepala_dinas", "back_office",
                                                  "kepala_bidang", "kasi", "petugas", "petugas", "petugas"))
    letter = {"applicant_type": "umkm", "organization": "Rendang Uni Ema", "letter_number": "3/RUE/2026",
              "letter_date": "2026-08-03", "subject": "Pembinaan label halal", "address": "Muaro Sijunjung",
              "phone": "0812-6600-1234", "on_behalf": {"name": "Uni Ema", "phone": "0812-6600-1234",
                                                       "address": "Muaro Sijunjung"}, "channel": "langsung"}
    letter = {k: v for k, v in letter.items() if k not in ("address", "phone")}
    front_h = await api.login(front)
    started = await api.http.post("/api/v1/sops/coaching/cases", json=letter, headers=front_h)
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    async with site.logged_in(front) as client:
        await shows_form(client, case_id, "register", RegisterForm)
    await ok(await api.decide(front_h, case_id, "register", "register"))
    async with site.logged_in(secretary) as client:
        await shows_form(client, case_id, "advise", AdviceForm)
    await ok(await api.decide(await api.login(secretary), case_id, "advise", "advise", data={"advice": "Layak"}))

    async with site.logged_in(head) as client:
        page = f"/pembinaan/{case_id}/dispose"
        await shows_link(client, case_id, "dispose", page, "Buka halaman disposisi")
        found = (await client.get(page)).text
        assert f'<option value="{division.id}">{division.name} ({division.email})</option>' in found
        assert 'name="instruction"' in found and "Rendang Uni Ema" in found
        empty = await site.post_form(client, page, page, {"instruction": "Bina"})
        assert empty.status_code == 422 and "Isi dengan id atau e-mail seorang Kepala Bidang" in empty.text
        done = await site.post_form(client, page, page, {"kepala_bidang": str(division.id), "instruction": "Bina"})
        assert done.status_code == 303, done.text
    async with site.logged_in(back) as client:
        found = section((await client.get(f"/kasus/{case_id}")).text, "forward")
        assert 'value="forward"' in found
    await ok(await api.decide(await api.login(back), case_id, "forward", "forward"))
    async with site.logged_in(division) as client:
        page = f"/pembinaan/{case_id}/dispose_section"
        await shows_link(client, case_id, "dispose_section", page, "Buka halaman disposisi")
        done = await site.post_form(client, page, page, {"kasi": str(kasi.id), "instruction": "Surat Tugas"})
        assert done.status_code == 303, done.text
    async with site.logged_in(kasi) as client:
        page = f"/pembinaan/{case_id}/assign"
        await shows_link(client, case_id, "assign", page, "Buka halaman Surat Tugas")
        found = (await client.get(page)).text
        assert f'type="checkbox" name="officers" value="{first.id}"' in found
        done = await site.post_form(client, page, page, {"officers": [str(first.id), str(second.id)],
                                                         "coaching_date": "2026-08-05", "coaching_place": "Muaro"})
        assert done.status_code == 303, done.text
    for officer in (first, second):
        async with site.logged_in(officer) as client:
            await shows_form(client, case_id, "coach", CoachingHeld)
    async with site.logged_in(bystander) as client:
        assert 'id="decide-coach"' not in (await client.get(f"/kasus/{case_id}")).text
        assert (await client.get(f"/pembinaan/{case_id}/assign")).status_code == 409  # closed now
    await ok(await api.decide(await api.login(second), case_id, "coach", "coached", data={
        "held_on": "2026-08-05", "venue": "Muaro", "participants": "Uni Ema dan 2 karyawan"}))
    async with site.logged_in(first) as client:
        await shows_form(client, case_id, "report", CoachingReport)
