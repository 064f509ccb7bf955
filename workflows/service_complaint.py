"""service-complaint: a complaint, suggestion or input about an agency's service (every seed's "Pengaduan
Layanan"; the rule from seed 003, Jombang).

admin_check (complaints officer: a service complaint, or not -> closed with an explanation) -> coordinate
(forward to a role of the agency, whose `input` comes back to the officer, as often as needed; external
coordination noted on the step) -> respond (the written response to the complainant) -> resolve (what was
done; it may take longer), while the complainant may rate the response 1-5 -> completed.
The response is due at the latest 3 working days after receipt: a case-level time standard from the
opening of the first step (the receipt) to the response, with a reminder after 2 working days and an
escalation to the head of the agency.

Every agency takes complaints: the complainant names the Dinas (`agency`); the definition's agency is only
the default. Anyone may complain without an account (a public form), someone with an account online, and
the complaints officer registers a complaint that came in person, by letter, phone, WhatsApp, e-mail,
social media or SP4N-LAPOR! (api.intake).
"""

import asyncio
from textwrap import shorten
from typing import TYPE_CHECKING, Any

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from sqlmodel import or_, select

    from core.calendar import WorkingTime
    from core.documents import DocumentKind
    from core.forms import Form, choice, widget
    from core.identifiers import Email, MobilePhone
    from core.messages import CaseStart, CaseStatus, Decision, DecisionResult
    from core.models import Case
    from core.roles import AGENCIES, INTAKE_CHANNELS, ROLE_TITLES, STAFF_ROLES

from workflows.module import FREE, Intake, IntakeRefused, ServiceStandard, SopModule
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, SpanDef, StepDef

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.models import User

OFFICER = "pengelola_pengaduan"
TYPES = {"pengaduan": "Pengaduan", "saran": "Saran", "masukan": "Masukan"}
AGENCY_NAMES = {agency.id: agency.name for agency in AGENCIES.values()}
# Whom the officer may ask for input: any staff role of the agency but their own.
FORWARD_ROLES = {role: ROLE_TITLES[role] for role in STAFF_ROLES if role != OFFICER}
RATINGS = {"5": "5 — Sangat puas", "4": "4 — Puas", "3": "3 — Cukup", "2": "2 — Kurang puas",
           "1": "1 — Tidak puas"}

# ---- forms ---------------------------------------------------------------------------------


class ComplaintForm(Form):
    agency: choice(AGENCY_NAMES) = Field(title="Dinas yang diadukan")  # type: ignore[valid-type]
    type: choice(TYPES) = Field(default="pengaduan", title="Jenis")  # type: ignore[valid-type]
    name: str = Field(min_length=1, max_length=200, title="Nama")
    phone: MobilePhone | None = Field(default=None, title="Nomor HP",
                                      description="Isi nomor HP atau e-mail agar tanggapan dapat kami sampaikan")
    email: Email | None = Field(default=None, title="E-mail")
    matter: str = Field(min_length=10, max_length=4000, title="Isi pengaduan, saran atau masukan",
                        description="Layanan apa, kapan, apa yang terjadi, dan harapan Anda",
                        json_schema_extra=widget("textarea"))
    case_ref: str | None = Field(default=None, max_length=60, title="Nomor kasus atau nomor lacak yang diadukan",
                                 description="Bila pengaduan menyangkut permohonan tertentu")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if not str(raw.get("phone") or "").strip() and not str(raw.get("email") or "").strip():
            return [("phone", "Isi nomor HP atau e-mail agar tanggapan dapat kami sampaikan")]
        return []


class ForwardForm(Form):
    role: choice(FORWARD_ROLES) = Field(title="Teruskan kepada")  # type: ignore[valid-type]
    question: str = Field(min_length=1, max_length=2000, title="Yang perlu ditanggapi",
                          json_schema_extra=widget("textarea"))


class ExternalForm(Form):
    party: str = Field(min_length=1, max_length=200, title="Pihak eksternal")
    outcome: str = Field(min_length=1, max_length=2000, title="Hasil koordinasi eksternal",
                         json_schema_extra=widget("textarea"))


class InputForm(Form):
    input: str = Field(min_length=1, max_length=4000, title="Masukan untuk Pengelola Pengaduan",
                       json_schema_extra=widget("textarea"))


class ResponseForm(Form):
    response: str = Field(min_length=10, max_length=4000, title="Tanggapan tertulis kepada pelapor",
                          json_schema_extra=widget("textarea"))


class ResolutionForm(Form):
    resolution: str = Field(min_length=1, max_length=4000, title="Tindak lanjut yang dilakukan",
                            json_schema_extra=widget("textarea"))


class RatingForm(Form):
    rating: int = Field(ge=1, le=5, title="Penilaian atas tanggapan",
                        json_schema_extra={"widget": "select", "choices": RATINGS})
    comment: str | None = Field(default=None, max_length=1000, title="Komentar (bila ada)",
                                json_schema_extra=widget("textarea"))


# ---- the SOP -------------------------------------------------------------------------------

ATTACHMENT = "lampiran"
RESPONSE_TIME = WorkingTime(days=3)  # the seed: a response at the latest 3 working days after receipt
RATING_WINDOW = WorkingTime(days=5)  # from the response; an unrated response lapses
UNRATED = "tanpa_penilaian"
AWAITING_RATING = "Menunggu penilaian pelapor"

DEFINITION = SopDefinition(
    id="service-complaint",
    title="Pengaduan Layanan",
    agency="jombang",  # a default: each complaint names its Dinas
    description="Pengaduan, saran atau masukan tentang pelayanan Dinas; ditanggapi secara tertulis paling lambat "
                "3 hari kerja sejak diterima.",
    start_form=ComplaintForm,
    documents=(DocumentKind(ATTACHMENT, "Lampiran (foto atau dokumen pendukung)"),),
    steps=(
        StepDef("admin_check", "Cek administrasi pengaduan", OFFICER, "Cek administrasi",
                (Action("valid", "Pengaduan layanan: lanjutkan"),
                 Action("not_service", "Bukan pengaduan layanan: tutup dengan penjelasan", needs_reason=True))),
        StepDef("coordinate", "Koordinasi internal/eksternal", OFFICER, "Koordinasi",
                (Action("forward", "Teruskan untuk dimintai masukan", form=ForwardForm),
                 Action("external", "Catat koordinasi eksternal", closes_step=False, form=ExternalForm),
                 Action("done", "Koordinasi selesai: susun tanggapan"))),
        # Given to the role the officer forwarded it to (step_role); declared: the usual one.
        StepDef("input", "Masukan atas pengaduan", "kepala_bidang", "Koordinasi internal",
                (Action("answer", "Kirim masukan", form=InputForm),),
                sla=WorkingTime(days=1), remind_before=WorkingTime(minutes=120), escalate_to=(OFFICER,)),
        StepDef("respond", "Tanggapan tertulis kepada pelapor", OFFICER, "Tanggapan",
                (Action("respond", "Kirim tanggapan", form=ResponseForm),)),
        StepDef("resolve", "Penyelesaian pengaduan", OFFICER, "Penyelesaian",
                (Action("resolved", "Selesai ditangani", form=ResolutionForm),)),
        # Beside resolve: the complainant (with an account, or by the tracking code) rates the response.
        StepDef("rate", "Penilaian tanggapan oleh pelapor", APPLICANT, "Penyelesaian",
                (Action("rate", "Kirim penilaian", form=RatingForm),),
                sla=RATING_WINDOW, timeout_action=UNRATED, notify_on_open=False),
    ),
    spans=(
        SpanDef("response_time", "Batas waktu tanggapan pengaduan", starts_at_step="admin_check",
                ends_at_step="respond", sla=RESPONSE_TIME, remind_before=WorkingTime(days=1),
                remind_also=(OFFICER,), escalate_to=("kepala_dinas", OFFICER)),
    ),
)


@workflow.defn(name="service-complaint")
class ServiceComplaintWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        check = await self.step("admin_check")
        if check.action == "not_service":
            self.data["response"] = check.reason
            return await self.finish(status=CaseStatus.REJECTED, stage="Bukan pengaduan layanan",
                                     template="complaint_not_service", reason=check.reason)
        await self.coordinate()
        self.data["response"] = self.clean(await self.step("respond"))["response"]
        self.notify("complaint_response", self.applicant(), "respond", response=self.data["response"])
        await self.resolve()
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai", template="complaint_closed",
                                 resolution=self.data["resolution"])

    async def coordinate(self) -> None:
        """The officer forwards the complaint for input as often as needed; each answer comes back to them."""
        while (decision := await self.step("coordinate")).action == "forward":
            forward = self.clean(decision)
            self.data["forwarded_to"] = forward["role"]
            answer = await self.step("input")
            self.note({"kind": "internal", "with": ROLE_TITLES.get(forward["role"], forward["role"]),
                       "question": forward["question"], "answer": self.clean(answer)["input"],
                       "by": answer.actor.name})

    async def resolve(self) -> None:
        """The officer resolves the complaint (it may take longer) while the complainant may rate the
        response, within RATING_WINDOW of it; the case closes once both are done."""
        rating = asyncio.create_task(self.rating())
        self.data["resolution"] = self.clean(await self.step("resolve"))["resolution"]
        if not rating.done():
            self.stage = AWAITING_RATING
            self.writes.changed()
            await self.flush()
        await rating

    async def rating(self) -> None:
        rated = await self.step("rate")
        if rated.action == "rate":
            self.data.update(self.clean(rated))  # rating, comment
        if "resolution" not in self.data:  # resolve still runs: the rating's decision waits for this write
            await self.flush()

    def note(self, entry: dict[str, Any]) -> None:
        self.data["coordination"] = [*self.data.get("coordination", []), entry]

    def step_role(self, step: StepDef) -> str:
        return self.data["forwarded_to"] if step.id == "input" else step.role

    def on_open_action(self, decision: Decision) -> None:
        """An external coordination is noted on the open step, which stays open."""
        outcome = self.clean(decision)
        self.note({"kind": "external", "with": outcome["party"], "answer": outcome["outcome"],
                   "by": decision.actor.name})
        self.add_event(decision.step, decision.actor, decision.action, decision.reason, outcome)


# ---- intake --------------------------------------------------------------------------------


def prepare(session: "Session", user: "User | None", data: dict[str, Any]) -> dict[str, Any]:
    """The case the complaint concerns, by its id or tracking code, must be one of the chosen Dinas."""
    ref = (data.get("case_ref") or "").strip()
    if not ref:
        return data
    found = session.exec(select(Case.id).where(
        or_(Case.id == ref.lower(), Case.tracking_code == ref.upper()), Case.agency == data["agency"])).first()
    if found is None:
        raise IntakeRefused.bad_field("case_ref", "Kasus dengan nomor ini tidak ditemukan pada Dinas yang dipilih")
    return {**data, "case_ref": found}


def title(data: dict[str, Any]) -> str:
    return f"{TYPES[data['type']]}: {shorten(data['matter'], 80, placeholder='…')}"


STANDARD = ServiceStandard(
    requirements=("Identitas pelapor: nama serta nomor HP atau alamat e-mail",
                  "Uraian pengaduan, saran atau masukan tentang pelayanan Dinas",
                  "Nomor kasus atau nomor lacak layanan yang diadukan, bila ada",
                  "Disampaikan melalui formulir pengaduan daring (tanpa akun) atau kanal pengaduan Dinas: tatap "
                  "muka dengan Pejabat Pengelola Pengaduan, kotak aduan, telepon, WhatsApp, e-mail, SP4N-LAPOR!, "
                  "media sosial"),
    product="Tanggapan tertulis kepada pelapor dan penyelesaian pengaduan",
    time="3 hari kerja untuk tanggapan sejak pengaduan diterima; penyelesaian sesuai kondisi dan permasalahan",
    cost=FREE,
    legal_basis=("Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
                 "Peraturan Presiden Nomor 76 Tahun 2013 tentang Pengelolaan Pengaduan Pelayanan Publik"),
    notes=("Setiap Dinas menerima pengaduan atas layanannya sendiri; kanal pengaduan tiap Dinas tercantum "
           "pada halaman formulir pengaduan.",
           "Pelapor dapat memberi penilaian 1–5 atas tanggapan melalui halaman lacak."),
)

SOP = SopModule(
    ServiceComplaintWorkflow,
    intake=Intake(roles=("umkm", "pembeli"), staff_roles=(OFFICER,), public=True, prepare=prepare,
                  agency=lambda data: data["agency"], title=title),
    pages=("api.pages.complaint",),
    start_page="/pengaduan",
    tracking_data=("response",),
    data_labels={"on_behalf": "Atas nama", "channel": "Diterima melalui", "lapor_number": "Nomor laporan SP4N-LAPOR!",
                 "registered_by": "Didaftarkan oleh", "name": "Nama", "phone": "Nomor HP", "email": "E-mail",
                 "address": "Alamat", "nik": "NIK", "forwarded_to": "Terakhir diteruskan kepada",
                 "coordination": "Koordinasi", "kind": "Jenis", "with": "Dengan", "question": "Pertanyaan",
                 "answer": "Masukan/hasil", "by": "Oleh", "response": "Tanggapan", "resolution": "Penyelesaian"},
    value_labels={"forwarded_to": FORWARD_ROLES, "kind": {"internal": "Internal", "external": "Eksternal"},
                  "channel": INTAKE_CHANNELS, "agency": AGENCY_NAMES},
    standard=STANDARD,
)
