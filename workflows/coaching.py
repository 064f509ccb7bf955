"""coaching: coaching (pembinaan) of a UMKM or a cooperative, Dinas Dagperinkop UKM Kabupaten Sijunjung
(seed 004).

A request letter comes in (online from an account, or registered by the front office from a letter it
received) and goes down the disposition chain, each desk writing its entry on the disposition sheet:
register (front office: the agenda number, the sheet) -> advise (secretary) -> dispose (head of agency,
to a head of division) -> forward (back office: the file to the division) -> dispose_section (that head
of division, to a section head) -> assign (that section head: the Surat Tugas naming one or more
officers) -> coach (any named officer: the coaching held) -> report (any named officer: the report and
the follow-up plan) -> completed; the applicant receives the report.

Each step has the seed's time standard in office minutes (the coaching itself 1 working day), a reminder
at half of it, and an escalation to the late person's next superior: the front and back office to the
secretary, the secretary and a head of division to the head of agency, a section head to the head of
division who disposed to them, an officer to the section head who assigned them. The head of agency has
no superior inside the agency: a late disposition is marked overdue and told to them. The whole service,
1 working day, runs from the registration to the Surat Tugas (our reading: the coaching visit alone
takes a day).

The disposition sheet (lembar disposisi) is the output of each disposition step in the seed, as the
paper sheet travels with the letter from desk to desk: it is written again (a new round of the same
document kind) after each of the five desks, with every entry so far.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from textwrap import shorten
from typing import Any

from pydantic import Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.documents import DocumentKind
    from core.forms import Form, choice, widget
    from core.identifiers import MobilePhone
    from core.messages import Attachment, CaseStart, CaseStatus, Decision, DecisionResult, Person
    from core.pdf import MONTHS
    from core.roles import ROLE_TITLES

from workflows.module import FREE, Intake, ServiceStandard, SopModule
from workflows.sop import (
    RECORD_RETRY, Action, SopDefinition, SopWorkflow, SpanDef, StepDef, assignee_of, assignees_of,
)

# ---- forms ---------------------------------------------------------------------------------

APPLICANT_TYPES = {"umkm": "UMKM", "koperasi": "Koperasi"}
NATURES = {"biasa": "Biasa", "segera": "Segera", "sangat_segera": "Sangat segera", "rahasia": "Rahasia"}
MSG_LEGAL_ENTITY = "Wajib diisi untuk koperasi: nomor badan hukum koperasi"


class CoachingRequest(Form):
    """The request letter (surat permohonan), as the applicant or the front office enters it."""

    applicant_type: choice(APPLICANT_TYPES) = Field(title="Pemohon")  # type: ignore[valid-type]
    organization: str = Field(min_length=1, max_length=200, title="Nama UMKM atau koperasi")
    legal_entity_number: str | None = Field(
        default=None, min_length=3, max_length=100, title="Nomor badan hukum koperasi",
        description="Wajib untuk koperasi, contoh AHU-0001234.AH.01.26.TAHUN 2021")
    letter_number: str = Field(min_length=1, max_length=100, title="Nomor surat permohonan")
    letter_date: date = Field(title="Tanggal surat permohonan")
    subject: str = Field(min_length=5, max_length=2000, title="Hal yang dimohonkan pembinaan",
                         description="Contoh: pembinaan pengemasan dan perizinan produk keripik",
                         json_schema_extra=widget("textarea"))
    address: str = Field(min_length=1, max_length=500, title="Alamat UMKM atau koperasi",
                         json_schema_extra=widget("textarea"))
    phone: MobilePhone = Field(title="Nomor HP", description="Nomor aktif, contoh 081234567890")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        if raw.get("applicant_type") == "koperasi" and not str(raw.get("legal_entity_number") or "").strip():
            return [("legal_entity_number", MSG_LEGAL_ENTITY)]
        return []


class RegisterForm(Form):
    nature: choice(NATURES) = Field(default="biasa", title="Sifat surat")  # type: ignore[valid-type]
    register_notes: str | None = Field(default=None, max_length=1000, title="Catatan front office",
                                       json_schema_extra=widget("textarea"))


class AdviceForm(Form):
    advice: str = Field(min_length=1, max_length=2000, title="Analisa dan saran kepada Kepala Dinas",
                        json_schema_extra=widget("textarea"))


class InstructionForm(Form):
    """Beside the person disposed to (data.kepala_bidang or data.kasi: a user id or e-mail)."""

    instruction: str = Field(min_length=1, max_length=2000, title="Isi disposisi",
                             json_schema_extra=widget("textarea"))


class AssignmentForm(Form):
    """The Surat Tugas, beside its officers (data.officers: user ids or e-mails of petugas)."""

    coaching_date: date = Field(title="Tanggal pembinaan")
    coaching_place: str = Field(min_length=1, max_length=300, title="Tempat pembinaan")


class CoachingHeld(Form):
    held_on: date = Field(title="Tanggal pelaksanaan pembinaan")
    venue: str = Field(min_length=1, max_length=300, title="Tempat pelaksanaan")
    participants: str = Field(min_length=1, max_length=2000, title="Peserta pembinaan",
                              description="Nama peserta, atau jumlah dan unsur peserta",
                              json_schema_extra=widget("textarea"))
    material: str | None = Field(default=None, max_length=4000, title="Materi dan uraian pembinaan",
                                 json_schema_extra=widget("textarea"))


class CoachingReport(Form):
    report: str = Field(min_length=10, max_length=8000, title="Laporan hasil pembinaan",
                        json_schema_extra=widget("textarea"))
    follow_up: str = Field(min_length=5, max_length=4000, title="Rencana tindak lanjut",
                           description="Satu rencana per baris", json_schema_extra=widget("textarea"))


# ---- the SOP -------------------------------------------------------------------------------

AGENCY = "sijunjung"
LETTERHEAD = {"letterhead_address": "Jl. Imam Bonjol No. 109, Muaro Sijunjung 27511 · Telepon 0754-20044",
              "city": "Muaro Sijunjung"}
# Our numbering (configurable here): the Surat Tugas and the report follow the letter's agenda number,
# unique per agency and year.
ASSIGNMENT_NUMBER = "800/{number}/ST/Dagperinkop-UKM/{year}"
REPORT_NUMBER = "800/{number}/LHP/Dagperinkop-UKM/{year}"
PHOTO = "foto_pembinaan"
LETTER = "surat_permohonan"
SHEET = "lembar_disposisi"
SERVICE_TIME = WorkingTime(days=1)  # the seed's whole-service standard
OFFICER = "petugas"


def minutes(n: int) -> WorkingTime:
    return WorkingTime(minutes=n)


def half(n: int) -> WorkingTime:
    """Half of an n-minute standard: the reminder's lead."""
    return WorkingTime(minutes=n // 2, seconds=30 * (n % 2))


HALF_A_DAY = WorkingTime(minutes=240)  # of an 08:00-16:00 office day

REGISTER = Action("register", "Agendakan dan teruskan ke Sekretaris", form=RegisterForm)
ADVISE = Action("advise", "Teruskan saran ke Kepala Dinas", form=AdviceForm)
DISPOSE = Action("dispose", "Disposisikan ke Kepala Bidang", assigns="kepala_bidang", form=InstructionForm)
FORWARD = Action("forward", "Teruskan berkas ke Bidang")
DISPOSE_SECTION = Action("dispose_section", "Disposisikan ke Kepala Seksi", assigns="kasi", form=InstructionForm)
ASSIGN = Action("assign", "Terbitkan Surat Tugas", assigns=OFFICER, several=True, key="officers", form=AssignmentForm)
COACHED = Action("coached", "Pembinaan sudah dilaksanakan", form=CoachingHeld)
REPORT = Action("report", "Kirim laporan hasil pembinaan", form=CoachingReport)


def page(step: str, text: str) -> tuple[str, str]:
    return (f"/pembinaan/{{case_id}}/{step}", text)


DEFINITION = SopDefinition(
    id="coaching",
    title="Pembinaan UMKM dan Koperasi",
    agency=AGENCY,
    description="Pembinaan UMKM atau koperasi atas surat permohonan, melalui disposisi sampai Surat Tugas, "
                "pelaksanaan pembinaan dan laporan hasilnya.",
    start_form=CoachingRequest,
    documents=(DocumentKind(LETTER, "Surat permohonan (pindaian)"), DocumentKind(PHOTO, "Foto kegiatan pembinaan")),
    steps=(
        StepDef("register", "Menerima, mengagendakan dan memberikan lembar disposisi", "front_office",
                "Pengagendaan", (REGISTER,), sla=minutes(3), remind_before=half(3), escalate_to=("sekretaris",)),
        StepDef("advise", "Analisa dan saran pada lembar disposisi", "sekretaris", "Saran Sekretaris", (ADVISE,),
                sla=minutes(5), remind_before=half(5), escalate_to=("kepala_dinas",)),
        StepDef("dispose", "Meneliti dan mendisposisikan ke Kepala Bidang", "kepala_dinas", "Disposisi Kepala Dinas",
                (DISPOSE,), sla=minutes(5), remind_before=half(5),
                page=page("dispose", "Buka halaman disposisi")),
        StepDef("forward", "Meneruskan berkas yang didisposisikan ke Bidang", "back_office", "Diteruskan ke Bidang",
                (FORWARD,), sla=minutes(3), remind_before=half(3), escalate_to=("sekretaris",)),
        StepDef("dispose_section", "Menerima dan mendisposisikan ke Kepala Seksi", "kepala_bidang",
                "Disposisi Kepala Bidang", (DISPOSE_SECTION,), sla=minutes(3), remind_before=half(3),
                escalate_to=("kepala_dinas",), page=page("dispose_section", "Buka halaman disposisi")),
        StepDef("assign", "Membuat Surat Tugas pembinaan", "kasi", "Surat Tugas", (ASSIGN,), sla=minutes(15),
                remind_before=half(15), page=page("assign", "Buka halaman Surat Tugas")),
        StepDef("coach", "Melakukan pembinaan", OFFICER, "Pembinaan", (COACHED,), sla=SERVICE_TIME,
                remind_before=HALF_A_DAY),
        StepDef("report", "Membuat laporan hasil pembinaan dan rencana tindak lanjut", OFFICER, "Laporan",
                (REPORT,), sla=minutes(15), remind_before=half(15)),
    ),
    spans=(SpanDef("service_time", "Waktu layanan pembinaan (sampai Surat Tugas)", starts_at_step="register",
                   ends_at_step="assign", sla=SERVICE_TIME, remind_before=HALF_A_DAY,
                   escalate_to=("kepala_dinas",)),),
)


# ---- activities ----------------------------------------------------------------------------

REGISTER_LETTER = "coaching_register_letter"


@dataclass
class AgendaRequest:
    case_id: str
    agency: str
    at: datetime  # the registration, by the workflow's clock: its year (in the agency's zone) is the agenda's


@dataclass
class AgendaNumber:
    number: int
    year: int
    text: str  # "17/2026"


# ---- the workflow --------------------------------------------------------------------------


def record(person: Person) -> dict[str, Any]:
    """A person as the case data keeps them (shown by name)."""
    return {"id": person.id, "name": person.name, "role": person.role, "agency": person.agency}


@workflow.defn(name="coaching")
class CoachingWorkflow(SopWorkflow):
    definition = DEFINITION

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []  # the disposition sheet's entries, desk by desk
        self.agenda: AgendaNumber | None = None
        self.head_of_division: Person | None = None
        self.section_head: Person | None = None

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        registered = await self.step("register")
        self.agenda = await workflow.execute_activity(
            REGISTER_LETTER, AgendaRequest(start.case_id, start.agency, workflow.now()), result_type=AgendaNumber,
            start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY)
        self.data.update(agenda_number=self.agenda.text, **self.clean(registered))
        self.retitle()
        self.enter(registered, self.data.get("register_notes") or "Surat permohonan diterima dan diagendakan",
                   to=ROLE_TITLES["sekretaris"])
        await self.sheet()

        advised = await self.step("advise")
        self.data["advice"] = self.clean(advised)["advice"]
        self.enter(advised, self.data["advice"], to=ROLE_TITLES["kepala_dinas"])
        await self.sheet()

        disposed = await self.step("dispose")
        head = self.head_of_division = assignee_of(disposed)
        self.data.update(kepala_bidang=record(head), instruction_kepala_dinas=self.clean(disposed)["instruction"])
        self.enter(disposed, self.data["instruction_kepala_dinas"], to=f"{head.name} ({ROLE_TITLES['kepala_bidang']})")
        await self.sheet()

        forwarded = await self.step("forward")
        self.enter(forwarded, "Berkas diteruskan ke Bidang", to=f"{head.name} ({ROLE_TITLES['kepala_bidang']})")
        await self.sheet()

        section = await self.step("dispose_section", assignee=head)
        kasi = self.section_head = assignee_of(section)
        self.data.update(kasi=record(kasi), instruction_kepala_bidang=self.clean(section)["instruction"])
        self.enter(section, self.data["instruction_kepala_bidang"], to=f"{kasi.name} ({ROLE_TITLES['kasi']})")
        await self.sheet()

        assigned = await self.step("assign", assignee=kasi)
        officers = assignees_of(assigned)
        await self.issue_assignment(assigned, officers)

        coached = await self.step("coach", assignee=officers)
        self.data.update(self.clean(coached))
        self.data["photos"] = [d.filename for d in self.documents if d.kind == PHOTO]

        reported = await self.step("report", assignee=officers)
        self.data.update(self.clean(reported))
        report = await self.generate_document("laporan_hasil", "laporan_hasil", self.report_context(officers))
        self.notify("coaching_report", self.applicant(), "report", attachments=[Attachment.document(report)],
                    report=self.data["report"], follow_up=self.data["follow_up"],
                    agenda_number=self.data["agenda_number"])
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai")

    # ---- the disposition sheet -------------------------------------------------------------

    def enter(self, decision: Decision, text: str, to: str) -> None:
        """One desk's entry on the sheet: who, when, what, and to whom it goes on."""
        actor = decision.actor
        self.entries.append({"step": self.definition.step(decision.step).title, "by": actor.name,
                             "position": ROLE_TITLES.get(actor.role or "", ""), "at": workflow.now().isoformat(),
                             "text": text, "to": to})

    async def sheet(self) -> None:
        """The disposition sheet with every entry so far: a new round after each desk."""
        data = self.data
        await self.generate_document(SHEET, SHEET, {
            **LETTERHEAD,
            "agenda_number": data["agenda_number"],
            "received_at": (self.created_at or workflow.now()).isoformat(),
            "origin": f"{APPLICANT_TYPES[data['applicant_type']]} {data['organization']}",
            "letter_number": data["letter_number"], "letter_date": data["letter_date"],
            "nature": NATURES[data["nature"]], "subject": data["subject"],
            "due_at": self.spans["service_time"].view.due_at.isoformat() if "service_time" in self.spans else None,
            "entries": self.entries,
        })

    def retitle(self) -> None:
        data = self.data
        self.title = f"{data['agenda_number']} · {APPLICANT_TYPES[data['applicant_type']]} {data['organization']}"

    # ---- the Surat Tugas and the report ----------------------------------------------------

    def numbered(self, pattern: str) -> str:
        assert self.agenda is not None
        return pattern.format(number=self.agenda.number, year=self.agenda.year)

    async def issue_assignment(self, assigned: Decision, officers: list[Person]) -> None:
        letter, data = self.clean(assigned), self.data
        number = self.numbered(ASSIGNMENT_NUMBER)
        data.update(officers=[record(o) for o in officers], surat_tugas_number=number, **letter)
        kasi = assigned.actor
        await self.generate_document("surat_tugas", "surat_tugas", {
            **LETTERHEAD,
            "number": number,
            "basis": [f"Surat permohonan {data['organization']} Nomor {data['letter_number']} tanggal "
                      f"{long_date(data['letter_date'])}",
                      f"Disposisi Kepala Dinas pada lembar disposisi Nomor Agenda {data['agenda_number']}"],
            "officers": [{"name": o.name, "position": ROLE_TITLES[OFFICER]} for o in officers],
            "task": f"Melaksanakan pembinaan {APPLICANT_TYPES[data['applicant_type']]} {data['organization']}: "
                    f"{data['subject']}",
            "on_date": letter["coaching_date"], "place": letter["coaching_place"],
            "signatory": {"name": kasi.name, "position": ROLE_TITLES["kasi"]},
        })

    def report_context(self, officers: list[Person]) -> dict[str, Any]:
        data = self.data
        return {
            **LETTERHEAD,
            "number": self.numbered(REPORT_NUMBER), "activity": "Pembinaan",
            "subject": f"Pembinaan {APPLICANT_TYPES[data['applicant_type']]} {data['organization']}: "
                       f"{data['subject']}",
            "assignment_number": data["surat_tugas_number"], "held_on": data["held_on"], "place": data["venue"],
            "participants": data["participants"], "officers": [{"name": o.name} for o in officers],
            "summary": data.get("material"), "findings": lines(data["report"]),
            "recommendations": lines(data["follow_up"]),
            "recommendations_title": "Rencana Tindak Lanjut",
        }

    # ---- engine hooks ----------------------------------------------------------------------

    def event_data(self, decision: Decision) -> dict[str, Any]:
        """The history keeps whom a desk disposed or assigned to, beside its form data."""
        data = self.clean(decision)
        named = decision.data or {}
        if "assignee" in named:
            data["assignee"] = named["assignee"]["name"]
        if "assignees" in named:
            data["assignees"] = [p["name"] for p in named["assignees"]]
        return data

    def step_superiors(self, step: StepDef) -> list[Person]:
        """A section head is answerable to the head of division who disposed to them; an officer to the
        section head who assigned them."""
        if step.id == "assign" and self.head_of_division is not None:
            return [self.head_of_division]
        if step.id in ("coach", "report") and self.section_head is not None:
            return [self.section_head]
        return []


def long_date(iso: str) -> str:
    """2026-08-03 -> 3 Agustus 2026."""
    day = date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---- intake --------------------------------------------------------------------------------


def title(data: dict[str, Any]) -> str:
    return f"{APPLICANT_TYPES[data['applicant_type']]} {data['organization']}: {shorten(data['subject'], 60, placeholder='…')}"


STANDARD = ServiceStandard(
    requirements=("Surat permohonan pembinaan dari UMKM", "Surat permohonan pembinaan dari koperasi, dengan nomor "
                  "badan hukum koperasi"),
    product="Pembinaan UMKM dan koperasi: Surat Tugas, pelaksanaan pembinaan, serta laporan hasil pembinaan dan "
            "rencana tindak lanjut yang diterima pemohon",
    time="1 hari kerja",
    cost=FREE,
    notes=("Waktu 1 hari kerja dihitung sejak surat permohonan diagendakan sampai Surat Tugas terbit; pelaksanaan "
           "pembinaan (1 hari kerja) dan laporannya (15 menit) menyusul.",
           "Surat permohonan dapat diajukan secara daring, atau diantar/dikirim ke front office Dinas yang "
           "mendaftarkannya."),
)

SOP = SopModule(
    CoachingWorkflow,
    intake=Intake(roles=("umkm",), staff_roles=("front_office",), title=title),
    standard=STANDARD,
    activities="activities.coaching",
    pages=("api.pages.coaching",),
    tracking_data=("agenda_number", "report", "follow_up"),
    data_labels={
        "on_behalf": "Atas nama", "channel": "Diterima melalui", "lapor_number": "Nomor laporan SP4N-LAPOR!",
        "registered_by": "Didaftarkan oleh", "name": "Nama", "email": "E-mail", "nik": "NIK",
        "agenda_number": "Nomor agenda", "kepala_bidang": "Didisposisikan kepada Kepala Bidang",
        "instruction_kepala_dinas": "Disposisi Kepala Dinas", "kasi": "Didisposisikan kepada Kepala Seksi",
        "instruction_kepala_bidang": "Disposisi Kepala Bidang", "surat_tugas_number": "Nomor Surat Tugas",
        "officers": "Petugas pembina", "photos": "Foto kegiatan",
    },
)
