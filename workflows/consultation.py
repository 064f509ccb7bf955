"""consultation: consultation, and facilitation of a business dispute, for micro businesses of Kabupaten
Jombang (seed 003, Dinas Koperasi dan Usaha Mikro: "Fasilitasi Konsultasi, Pengaduan dan Penyelesaian
Masalah Usaha Mikro").

check_file (officer: complete, or incomplete with what is missing -> revise: the applicant uploads again,
or the officer scans what an applicant without an account brings; cancelled after 10 working days, our
rule -> check_file again) ->
  konsultasi: consult (the consultation given: date, topics, advice) -> report;
  pengaduan: schedule (a meeting of the applicant and the respondent: each gets an e-mail with the .ics
  invitation, or, without an e-mail address, a printable invitation letter) -> facilitate (sepakat with
  its terms, tidak_sepakat with a recommendation, or tidak_hadir: scheduled again, once; minutes each
  time) -> report.
report: the Laporan Hasil (PDF: case data, steps, outcome) goes to the applicant -> completed.
The whole service takes at most 5 working days from receipt: a case-level time standard with a reminder a
working day before and an escalation to the head of the agency.
"""

from datetime import date, datetime, timedelta, timezone
from textwrap import shorten
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.calendar import WorkingTime
    from core.documents import DocumentKind
    from core.forms import Form, choice, widget
    from core.identifiers import Email, IdentifierError, normalize_phone
    from core.messages import Attachment, CaseStart, CaseStatus, Decision, DecisionResult, Invitation, Recipients
    from core.roles import INTAKE_CHANNELS

from workflows.module import FREE, Intake, ServiceStandard, SopModule
from workflows.sop import APPLICANT, Action, SopDefinition, SopWorkflow, SpanDef, StepDef

OFFICER = "petugas"
KINDS = {"konsultasi": "Konsultasi", "pengaduan": "Pengaduan (sengketa usaha)"}
# The 21 kecamatan of Kabupaten Jombang: the service is for micro businesses of the regency.
DISTRICTS = {name.lower().replace(" ", "_"): name for name in (
    "Bandar Kedung Mulyo", "Bareng", "Diwek", "Gudo", "Jogoroto", "Jombang", "Kabuh", "Kesamben", "Kudu",
    "Megaluh", "Mojoagung", "Mojowarno", "Ngoro", "Ngusikan", "Perak", "Peterongan", "Plandaan", "Ploso",
    "Sumobito", "Tembelang", "Wonosalam")}
DOCUMENT_KINDS = (
    DocumentKind("surat_permohonan", "Surat permohonan kepada Kepala Dinas", required=True),
    DocumentKind("ktp", "Fotokopi KTP", required=True),
)
DOCUMENT_LABELS = {k.id: k.label for k in DOCUMENT_KINDS}
OUTCOMES = {"konsultasi": "Konsultasi diberikan", "sepakat": "Sepakat", "tidak_sepakat": "Tidak sepakat"}
ABSENT = {"pemohon": "Pemohon", "termohon": "Termohon", "keduanya": "Pemohon dan termohon"}
WIB = timezone(timedelta(hours=7))  # Kabupaten Jombang; no daylight saving

# ---- forms ---------------------------------------------------------------------------------


def _phone(value: str) -> str:
    """A landline (a company's) or a mobile number: digits, with an optional leading + and separators; a
    mobile number is kept as 62... like every other (core.identifiers)."""
    try:
        return normalize_phone(value)
    except IdentifierError:
        pass
    digits = value.replace(" ", "").replace("-", "").replace(".", "").replace("(", "").replace(")", "")
    if not (digits.lstrip("+").isdigit() and digits.isascii() and 6 <= len(digits.lstrip("+")) <= 15):
        raise PydanticCustomError("phone", "Nomor telepon tidak valid, contoh 0321861494 atau 081234567890")
    return digits


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate", "Pilihan tidak boleh berulang")
    return values


def _listed(value: Any) -> Any:
    """The pages send the ticked boxes as a list; a single one may come as text."""
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


Phone = Annotated[str, AfterValidator(_phone), Field(json_schema_extra={"widget": "tel"})]
DocumentKinds = Annotated[list[choice(DOCUMENT_LABELS)], BeforeValidator(_listed),  # type: ignore[misc]
                          AfterValidator(_distinct)]


class Respondent(Form):
    """The other party of a dispute (termohon)."""

    name: str = Field(min_length=1, max_length=200, title="Nama termohon")
    address: str = Field(min_length=1, max_length=500, title="Alamat termohon", json_schema_extra=widget("textarea"))
    phone: Phone = Field(title="Nomor telepon termohon")
    email: Email | None = Field(default=None, title="E-mail termohon",
                                description="Bila ada: undangan dikirim ke alamat ini; tanpa e-mail, surat undangan "
                                            "dicetak petugas")


class ConsultationForm(Form):
    kind: choice(KINDS) = Field(title="Jenis permohonan")  # type: ignore[valid-type]
    business_name: str = Field(min_length=1, max_length=200, title="Nama usaha")
    district: choice(DISTRICTS) = Field(title="Kecamatan lokasi usaha",  # type: ignore[valid-type]
                                        description="Layanan ini untuk pelaku usaha mikro Kabupaten Jombang")
    business_address: str = Field(min_length=1, max_length=500, title="Alamat usaha",
                                  json_schema_extra=widget("textarea"))
    micro_business: bool = Field(title="Usaha saya termasuk usaha mikro",
                                 description="Modal usaha paling banyak Rp1 miliar di luar tanah dan bangunan tempat "
                                             "usaha, atau hasil penjualan tahunan paling banyak Rp2 miliar")
    matter: str = Field(min_length=10, max_length=4000, title="Uraian masalah atau hal yang dikonsultasikan",
                        json_schema_extra=widget("textarea"))
    respondent: Respondent | None = Field(default=None, title="Termohon (pihak yang diadukan)",
                                          description="Wajib untuk pengaduan")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        problems = []
        if raw.get("micro_business") is False:
            problems.append(("micro_business", "Layanan ini untuk pelaku usaha mikro"))
        if raw.get("kind") == "pengaduan" and not raw.get("respondent"):
            problems.append(("respondent", "Wajib diisi untuk pengaduan: nama, alamat dan nomor telepon termohon"))
        if raw.get("kind") == "konsultasi" and raw.get("respondent"):
            problems.append(("respondent", "Hanya diisi untuk pengaduan"))
        return problems


class IncompleteForm(Form):
    missing: DocumentKinds = Field(min_length=1, title="Berkas yang belum lengkap",
                                   description="Hanya bila berkas belum lengkap")


class ConsultForm(Form):
    held_on: date = Field(title="Tanggal konsultasi")
    topics: str = Field(min_length=1, max_length=2000, title="Materi konsultasi", json_schema_extra=widget("textarea"))
    advice: str = Field(min_length=1, max_length=4000, title="Saran dan arahan kepada pemohon",
                        json_schema_extra=widget("textarea"))


class ScheduleForm(Form):
    starts_at: AwareDatetime = Field(title="Waktu pertemuan",
                                     description="Tanggal dan jam dengan zona waktu, contoh 2026-08-05T09:00+07:00")
    place: str = Field(min_length=1, max_length=300, title="Tempat pertemuan")


class AgreementForm(Form):
    minutes: str = Field(min_length=1, max_length=4000, title="Berita acara pertemuan",
                         json_schema_extra=widget("textarea"))
    terms: str = Field(min_length=1, max_length=4000, title="Isi kesepakatan",
                       description="Hanya bila sepakat", json_schema_extra=widget("textarea"))


class DisagreementForm(Form):
    minutes: str = Field(min_length=1, max_length=4000, title="Berita acara pertemuan",
                         json_schema_extra=widget("textarea"))
    recommendation: str = Field(min_length=1, max_length=4000, title="Rekomendasi penyelesaian",
                                description="Hanya bila tidak sepakat", json_schema_extra=widget("textarea"))


class AbsenceForm(Form):
    minutes: str = Field(min_length=1, max_length=4000, title="Berita acara pertemuan",
                         json_schema_extra=widget("textarea"))
    absent: choice(ABSENT) = Field(title="Pihak yang tidak hadir",  # type: ignore[valid-type]
                                   description="Hanya bila tidak hadir")


class ReportForm(Form):
    conclusion: str = Field(min_length=1, max_length=4000, title="Kesimpulan laporan",
                            json_schema_extra=widget("textarea"))
    follow_up: str | None = Field(default=None, max_length=2000, title="Tindak lanjut (bila ada)",
                                  json_schema_extra=widget("textarea"))


# ---- the SOP -------------------------------------------------------------------------------

SERVICE_TIME = WorkingTime(days=5)  # the seed: 5 working days, from receipt to the report
REVISION_TIME = WorkingTime(days=10)  # our rule: an incomplete file not completed in 10 working days is cancelled
REVISION_REMIND = WorkingTime(days=2)
ABANDONED = "Berkas tidak dilengkapi dalam 10 hari kerja"
MEETING_LENGTH = timedelta(hours=2)
RESCHEDULES = 1  # tidak_hadir sends the case back to schedule this often

DEFINITION = SopDefinition(
    id="consultation",
    title="Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro",
    agency="jombang",
    description="Pelaku usaha mikro Kabupaten Jombang berkonsultasi, atau mengadukan masalah usaha dengan pihak "
                "lain untuk difasilitasi penyelesaiannya; selesai dalam 5 hari kerja dengan laporan hasil.",
    start_form=ConsultationForm,
    documents=DOCUMENT_KINDS,
    steps=(
        StepDef("check_file", "Pemeriksaan kelengkapan berkas", OFFICER, "Pemeriksaan Berkas",
                (Action("complete", "Berkas lengkap"),
                 Action("incomplete", "Berkas belum lengkap: kembalikan kepada pemohon", needs_reason=True,
                        form=IncompleteForm))),
        # The applicant's account uploads again; for an applicant without one, the officer scans what they
        # bring (step_role). notify_on_open: the "documents_returned" message tells the applicant.
        StepDef("revise", "Melengkapi berkas permohonan", "umkm", "Perbaikan Berkas",
                (Action("resubmit", "Kirim ulang berkas"),),
                sla=REVISION_TIME, remind_before=REVISION_REMIND, remind_also=(APPLICANT,), timeout_action="cancel",
                notify_on_open=False),
        StepDef("consult", "Pemberian konsultasi", OFFICER, "Konsultasi",
                (Action("consult", "Catat konsultasi", form=ConsultForm),)),
        StepDef("schedule", "Penjadwalan pertemuan pemohon dan termohon", OFFICER, "Penjadwalan Pertemuan",
                (Action("schedule", "Jadwalkan dan kirim undangan", form=ScheduleForm),)),
        StepDef("facilitate", "Fasilitasi penyelesaian masalah", OFFICER, "Fasilitasi",
                (Action("sepakat", "Sepakat", form=AgreementForm),
                 Action("tidak_sepakat", "Tidak sepakat", form=DisagreementForm),
                 Action("tidak_hadir", "Pihak tidak hadir: jadwalkan ulang", form=AbsenceForm))),
        StepDef("report", "Laporan hasil", OFFICER, "Laporan Hasil",
                (Action("report", "Terbitkan dan kirim laporan hasil", form=ReportForm),)),
    ),
    spans=(
        SpanDef("service_time", "Batas waktu layanan fasilitasi (5 hari kerja)", starts_at_step="check_file",
                ends_at_step="report", sla=SERVICE_TIME, remind_before=WorkingTime(days=1), remind_also=(OFFICER,),
                escalate_to=("kepala_dinas",)),
    ),
)

# The letters' letterhead and signature (seed 003).
LETTERHEAD = ("Jl. Presiden KH. Abdurrahman Wahid No. 153-155, Candi Mulyo, Kec. Jombang, Kabupaten Jombang, "
              "Jawa Timur 61419 · Telepon (0321) 861494 · dinkopum@jombangkab.go.id")
CITY = "Jombang"
UNIT_CODE = "415.26"  # Dinas Koperasi dan Usaha Mikro in the regency's letter numbers
MEETING_TITLE = "Pertemuan fasilitasi penyelesaian masalah usaha mikro"


@workflow.defn(name="consultation")
class ConsultationWorkflow(SopWorkflow):
    definition = DEFINITION

    def __init__(self) -> None:
        super().__init__()
        self.missing_kinds: list[str] = []  # asked for by the last incomplete
        self.uploads_at_return = 0  # documents recorded before it
        self.absences = 0  # tidak_hadir so far

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        if not await self.check_file():
            return await self.finish(status=CaseStatus.CANCELLED, stage="Dibatalkan", template="cancelled",
                                     reason=ABANDONED)
        if self.data["kind"] == "konsultasi":
            self.data["consultation"] = self.clean(await self.step("consult"))
            self.data["outcome"] = "konsultasi"
        else:
            await self.facilitate()
        return await self.report()

    async def check_file(self) -> bool:
        """Until the officer finds the file complete; False when the applicant let it lapse."""
        while (verdict := await self.step("check_file")).action == "incomplete":
            self.missing_kinds = self.clean(verdict)["missing"]
            self.uploads_at_return = len(self.documents)
            self.notify("documents_returned", self.applicant(), "check_file", reason=verdict.reason,
                        missing=[DOCUMENT_LABELS[k] for k in self.missing_kinds], online=self.has_account)
            applicant = self._case.applicant if self.has_account else None
            if (await self.step("revise", assignee=applicant)).action == "cancel":
                return False
        return True

    async def facilitate(self) -> None:
        """Schedule, invite, meet; an absent party sends it back to schedule, once."""
        meetings: list[dict[str, Any]] = []
        while True:
            scheduled = await self.step("schedule")
            meeting = self.clean(scheduled)
            await self.invite(meeting, scheduled.actor.name)
            outcome = await self.step("facilitate")
            meetings.append({**meeting, "outcome": outcome.action, **self.clean(outcome)})
            self.data["meetings"] = meetings
            if outcome.action != "tidak_hadir":
                self.data["outcome"] = outcome.action
                return
            self.absences += 1

    async def invite(self, meeting: dict[str, Any], officer: str) -> None:
        """Each party by e-mail with the .ics (one UID; a new schedule raises its SEQUENCE), or, without an
        e-mail address, by a printable invitation letter listed with the case's documents."""
        case, round_ = self._case, self.rounds["schedule"]
        starts_at = datetime.fromisoformat(meeting["starts_at"])
        invitation = Invitation(
            uid=f"{case.case_id}.fasilitasi@alur", starts_at=starts_at, ends_at=starts_at + MEETING_LENGTH,
            summary=f"{MEETING_TITLE} ({case.tracking_code})", location=meeting["place"], sequence=round_ - 1,
            description=f"{KINDS['pengaduan']}: {shorten(self.data['matter'], 300, placeholder='…')}")
        respondent = self.data["respondent"]
        parties = (("pemohon", case.applicant.name, self.data.get("business_address", ""), self.applicant()),
                   ("termohon", respondent["name"], respondent["address"],
                    Recipients(emails=[respondent["email"]] if respondent.get("email") else [])))
        context = {"summary": MEETING_TITLE, "starts_at": meeting["starts_at"], "place": meeting["place"],
                   "rescheduled": round_ > 1, "applicant": case.applicant.name, "respondent": respondent["name"]}
        letters = []
        for party, name, address, recipients in parties:
            if recipients.user_ids or recipients.emails:
                self.notify("invitation", recipients, "schedule", attachments=[Attachment.ics(invitation)],
                            party=party, name=name, external=party == "termohon" or not self.has_account, **context)
            else:
                letters.append(await self.invitation_letter(party, name, address, meeting, round_, officer))
        self.data["invitation_letters"] = [*self.data.get("invitation_letters", []), *letters]

    async def invitation_letter(self, party: str, name: str, address: str, meeting: dict[str, Any],
                                round_: int, officer: str) -> str:
        case = self._case
        upload = await self.generate_document("undangan", "undangan", {
            "number": f"005/{case.tracking_code}-{round_}/{UNIT_CODE}/{self.year}", "to": {"name": name,
                                                                                         "address": address},
            "subject": MEETING_TITLE.capitalize(), "starts_at": meeting["starts_at"],
            "ends_at": (datetime.fromisoformat(meeting["starts_at"]) + MEETING_LENGTH).isoformat(),
            "place": meeting["place"], "city": CITY, "letterhead_address": LETTERHEAD,
            "agenda": f"Fasilitasi penyelesaian masalah usaha antara {case.applicant.name} (pemohon) dan "
                      f"{self.data['respondent']['name']} (termohon)",
            "notes": "Undangan ini menggantikan undangan sebelumnya." if round_ > 1 else "",
            "signatory": signatory(officer),
        }, filename=f"undangan-{party}-{case.case_id}-{round_}.pdf")
        return upload.filename

    async def report(self) -> DecisionResult:
        decision = await self.step("report")
        written = self.clean(decision)
        self.data["report"] = written
        upload = await self.generate_document("laporan_hasil", "laporan_fasilitasi", {
            "number": f"500/{self._case.tracking_code}/{UNIT_CODE}/{self.year}",
            "activity": "Fasilitasi Konsultasi" if self.data["kind"] == "konsultasi"
                        else "Fasilitasi Penyelesaian Masalah Usaha Mikro",
            "case": self.case_rows(), "matter": self.data["matter"], "steps": self.steps_done(),
            "outcome": OUTCOMES[self.data["outcome"]], "consultation": self.data.get("consultation"),
            "meetings": [{**m, "absent": ABSENT.get(m.get("absent", ""), "")} for m in self.data.get("meetings", [])],
            "conclusion": written["conclusion"], "follow_up": written.get("follow_up") or "",
            "city": CITY, "letterhead_address": LETTERHEAD, "signatory": signatory(decision.actor.name),
        })
        self.notify("result_report", self.applicant(), "report", attachments=[Attachment.document(upload)],
                    outcome=OUTCOMES[self.data["outcome"]], conclusion=written["conclusion"],
                    external=not self.has_account)
        return await self.finish(status=CaseStatus.COMPLETED, stage="Selesai")

    # ---- the report's parts -------------------------------------------------------------------

    def case_rows(self) -> list[list[str]]:
        data, case = self.data, self._case
        rows = [["Nomor berkas", case.case_id], ["Kode lacak", case.tracking_code],
                ["Jenis permohonan", KINDS[data["kind"]]], ["Pemohon", case.applicant.name],
                ["Nama usaha", data["business_name"]],
                ["Alamat usaha", f"{data['business_address']}, Kecamatan {DISTRICTS[data['district']]}"],
                ["Diterima melalui", INTAKE_CHANNELS.get(data.get("channel", "web"), "Web (formulir daring)")]]
        if data.get("lapor_number"):
            rows.append(["Nomor laporan SP4N-LAPOR!", data["lapor_number"]])
        respondent = data.get("respondent")
        if respondent:
            rows += [["Termohon", respondent["name"]], ["Alamat termohon", respondent["address"]],
                     ["Telepon termohon", respondent["phone"]]]
        return rows

    def steps_done(self) -> list[dict[str, str]]:
        """The submission and every closing decision, with its action's label, in order."""
        titles = {s.id: s for s in self.definition.steps}
        done = []
        for event in self.history:
            if event.step == "submit":
                done.append({"at": event.at.isoformat(), "title": "Permohonan diterima", "action": "",
                             "actor": event.actor.name})
            elif event.step in titles:
                action = titles[event.step].action(event.action)
                if action is None:
                    continue  # reminders and escalations
                done.append({"at": event.at.isoformat(), "title": titles[event.step].title,
                             "action": f"{action.label}{f' — {event.reason}' if event.reason else ''}",
                             "actor": event.actor.name})
        return done

    @property
    def year(self) -> int:
        return workflow.now().astimezone(WIB).year

    @property
    def has_account(self) -> bool:
        return self._case.applicant.id is not None

    # ---- hooks ----------------------------------------------------------------------------------

    def step_role(self, step: StepDef) -> str:
        """revise: the applicant's account (assigned), or the officer, who scans what an applicant without
        an account brings in."""
        if step.id == "revise":
            return (self._case.applicant.role or "umkm") if self.has_account else OFFICER
        return step.role

    def offered_actions(self, step: StepDef) -> tuple[Action, ...]:
        if step.id == "facilitate" and self.absences >= RESCHEDULES:
            return tuple(a for a in step.actions if a.id != "tidak_hadir")
        return step.actions

    def validate_action(self, decision: Decision) -> list[dict[str, Any]]:
        data = decision.data or {}
        if decision.action == "resubmit":
            uploaded = {d.kind for d in self.documents[self.uploads_at_return:]}
            still = [DOCUMENT_LABELS[k] for k in self.missing_kinds if k not in uploaded]
            if still:
                return [{"loc": ["body", "documents"], "msg": f"Unggah ulang dokumen: {', '.join(still)}",
                         "type": "missing"}]
        if decision.action == "schedule" and isinstance(data.get("starts_at"), str):
            try:
                starts_at = datetime.fromisoformat(data["starts_at"])
            except ValueError:
                return []  # the form names it
            if starts_at.tzinfo is not None and starts_at <= workflow.now():
                return [{"loc": ["body", "data", "starts_at"], "msg": "Waktu pertemuan harus setelah saat ini",
                         "type": "past"}]
        if decision.action == "consult" and isinstance(data.get("held_on"), str):
            today = workflow.now().astimezone(WIB).date().isoformat()
            if data["held_on"][:10] > today:
                return [{"loc": ["body", "data", "held_on"], "msg": "Tanggal konsultasi tidak boleh setelah hari ini",
                         "type": "future"}]
        return []


def signatory(officer: str) -> dict[str, str]:
    return {"position": "a.n. Kepala Dinas Koperasi dan Usaha Mikro, Petugas Layanan", "name": officer}


# ---- intake --------------------------------------------------------------------------------


def title(data: dict[str, Any]) -> str:
    return f"{KINDS[data['kind']].split(' ')[0]}: {data['business_name']}"


STANDARD = ServiceStandard(
    requirements=(
        "Masyarakat pelaku usaha mikro Kabupaten Jombang",
        "Surat permohonan fasilitasi konsultasi atau pengaduan secara tertulis kepada Kepala Dinas Koperasi dan "
        "Usaha Mikro Kabupaten Jombang",
        "Fotokopi KTP",
        "Surat permohonan disampaikan secara langsung atau melalui SP4N-LAPOR! (atau diunggah melalui layanan daring)",
        "Untuk pengaduan: nama, alamat dan nomor telepon termohon (serta e-mail bila ada)",
    ),
    product="Dokumentasi dan laporan hasil (Laporan Hasil fasilitasi konsultasi atau penyelesaian masalah)",
    time="5 hari kerja",
    cost=FREE,
    legal_basis=("SK Nomor 188.4/457/415.26/2023",),
    notes=("Berkas yang belum lengkap dan tidak dilengkapi dalam 10 hari kerja dibatalkan.",
           "Bila pemohon atau termohon tidak hadir, pertemuan dijadwalkan ulang satu kali."),
)

SOP = SopModule(
    ConsultationWorkflow,
    intake=Intake(roles=("umkm",), staff_roles=(OFFICER,), title=title),
    standard=STANDARD,
    # The start and registration pages with the respondent's fields and the documents (the generic ones
    # draw neither a nested form nor file inputs for an online start).
    pages=("api.pages.consultation",),
    data_labels={"on_behalf": "Atas nama", "channel": "Diterima melalui", "lapor_number": "Nomor laporan SP4N-LAPOR!",
                 "registered_by": "Didaftarkan oleh", "name": "Nama", "phone": "Nomor HP", "email": "E-mail",
                 "address": "Alamat", "nik": "NIK", "consultation": "Konsultasi", "meetings": "Pertemuan",
                 "outcome": "Hasil", "invitation_letters": "Surat undangan untuk dicetak", "report": "Laporan hasil"},
    value_labels={"channel": INTAKE_CHANNELS, "outcome": {**OUTCOMES, "tidak_hadir": "Tidak hadir"},
                  "absent": ABSENT, "kind": KINDS, "district": DISTRICTS, "missing": DOCUMENT_LABELS},
)
