"""A small SOP that exists only in tests: generated documents and e-mail attachments through the engine.

At the start it issues a Surat Tugas (PDF); an officer then schedules a meeting, and the applicant gets
an invitation e-mail with the .ics and the invitation letter (PDF) attached, the respondent (when an
e-mail address is given) the .ics alone.
"""

from datetime import datetime, timedelta

from pydantic import AwareDatetime, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.forms import Form
    from core.messages import Attachment, CaseStart, CaseStatus, DecisionResult, Invitation, Recipients

from workflows.module import Intake, SopModule
from workflows.sop import Action, SopDefinition, SopWorkflow, StepDef

OFFICERS = [
    {"name": "Bambang Sutrisno, S.E.", "nip": "19800101 200501 1 001", "position": "Pengawas Perdagangan"},
    {"name": "Dewi Kartika", "nip": "19850202 201001 2 002", "position": "Analis Perlindungan Konsumen"},
]
SIGNATORY = {"name": "Drs. Hadi Prasetyo, M.M.", "position": "Kepala Dinas", "nip": "19700303 199503 1 003"}


class DocumentTestForm(Form):
    topic: str = Field(min_length=1, max_length=100, title="Pokok permohonan uji")
    respondent_email: str | None = Field(default=None, max_length=254, title="E-mail teradu")


class ScheduleForm(Form):
    starts_at: AwareDatetime = Field(title="Waktu mulai")
    place: str = Field(min_length=1, max_length=200, title="Tempat")


DEFINITION = SopDefinition(
    id="document-test",
    title="Layanan Uji Dokumen",
    agency="ponorogo",
    description="Hanya untuk pengujian.",
    start_form=DocumentTestForm,
    steps=(StepDef("schedule", "Jadwalkan klarifikasi", "petugas", "Penjadwalan",
                   (Action("schedule", "Jadwalkan", form=ScheduleForm),)),),
)


def assignment_number(tracking_code: str) -> str:
    return f"800/{tracking_code}/405.17/2026"


@workflow.defn(name="document-test")
class DocumentTestWorkflow(SopWorkflow):
    definition = DEFINITION

    @workflow.run
    async def run(self, start: CaseStart) -> DecisionResult:
        await self.open_case(start)
        await self.generate_document("surat_tugas", "surat_tugas", {
            "number": assignment_number(start.tracking_code), "city": "Ponorogo",
            "basis": ["Permohonan uji nomor lacak " + start.tracking_code],
            "officers": OFFICERS, "task": f"Klarifikasi: {start.data['topic']}", "signatory": SIGNATORY,
        })
        decision = await self.step("schedule")
        when = self.clean(decision)
        starts_at = datetime.fromisoformat(when["starts_at"])
        summary = f"Klarifikasi {start.tracking_code}"
        meeting = Invitation(uid=f"{start.case_id}.schedule.1@alur", starts_at=starts_at,
                             ends_at=starts_at + timedelta(hours=2), summary=summary, location=when["place"],
                             description=f"Klarifikasi atas permohonan {start.tracking_code}")
        letter = await self.generate_document("undangan", "undangan", {
            "number": f"005/{start.tracking_code}/405.17/2026", "to": {"name": start.applicant.name},
            "subject": summary, "starts_at": when["starts_at"], "place": when["place"], "signatory": SIGNATORY,
        })
        context = {"summary": summary, "starts_at": starts_at, "place": when["place"]}
        self.notify("invitation", self.applicant(), "schedule", letter=True,
                    attachments=[Attachment.ics(meeting), Attachment.document(letter)], **context)
        if start.data.get("respondent_email"):
            self.notify("invitation", Recipients(emails=[start.data["respondent_email"]]), "schedule",
                        external=True, attachments=[Attachment.ics(meeting)], **context)
        return await self.finish(status=CaseStatus.COMPLETED, stage="Terjadwal")


SOP = SopModule(DocumentTestWorkflow, intake=Intake(title=lambda data: data["topic"]))
