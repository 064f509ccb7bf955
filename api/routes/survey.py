"""The satisfaction survey (core.survey): answering through the link of the invitation (public), and the
agency's results for its supervisors and heads, as JSON, CSV and XLSX. No report names a case or a person."""

import csv
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from openpyxl import Workbook
from sqlmodel import Session

from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep
from api.errors import ApiError
from core.config import Settings
from core.models import User, utcnow
from core.models_survey import ELEMENT_KEYS
from core.survey import (
    ELEMENTS, REPORT_ROLES, SurveyAnswerIn, SurveyCase, SurveyRefused, SurveyReport, default_period, record_answer,
    survey_case, survey_report,
)
from workflows import SOPS

router = APIRouter(tags=["survey"])
REPORT_ONLY = "Hasil survei kepuasan hanya untuk supervisor, kepala bidang dan kepala dinas"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refused(error: SurveyRefused) -> ApiError:
    return ApiError(error.status, error.detail)


@router.get("/survey/{token}", response_model=SurveyCase)
def survey_status(*, token: str, engine: EngineDep, settings: SettingsDep) -> SurveyCase:
    """Which service the link asks about and whether it was answered: 404 a link that is not ours (or a
    case not closed), 410 an expired one."""
    try:
        return survey_case(engine, settings, token)
    except SurveyRefused as error:
        raise refused(error) from None


@router.post("/survey/{token}", response_model=SurveyCase, status_code=201)
def answer_survey(*, token: str, body: SurveyAnswerIn, engine: EngineDep, settings: SettingsDep) -> SurveyCase:
    """The nine scores (1–4) and a suggestion, once per case: 409 for a second answer, 404/410 as above,
    422 a score outside 1–4."""
    try:
        return record_answer(engine, settings, token, body)
    except SurveyRefused as error:
        raise refused(error) from None


# ---- reports ---------------------------------------------------------------------------------


def report_reader(user: CurrentUser) -> User:
    if user.role not in REPORT_ROLES or not user.agency:
        raise HTTPException(403, REPORT_ONLY)
    return user


ReportReader = Annotated[User, Depends(report_reader)]


def report_for(session: Session, settings: Settings, user: User, sop: str | None, date_from: date | None,
               date_to: date | None) -> SurveyReport:
    """The reader's agency only; the period defaults to this year up to today. 422 an unknown SOP or a
    period that ends before it starts."""
    assert user.agency is not None
    if sop and sop not in SOPS:
        raise ApiError(422, [{"loc": ["query", "sop"], "msg": "Layanan tidak dikenal", "type": "value_error"}])
    first, last = default_period(user.agency, utcnow())
    date_from, date_to = date_from or first, date_to or last
    if date_to < date_from:
        raise ApiError(422, [{"loc": ["query", "to"], "msg": "Tanggal akhir sebelum tanggal awal",
                              "type": "value_error"}])
    return survey_report(session, user.agency, date_from, date_to, sop or None,
                         minimum=settings.survey_min_respondents)


SopQuery = Annotated[str | None, Query(max_length=40)]
FromQuery = Annotated[date | None, Query(alias="from")]
ToQuery = Annotated[date | None, Query(alias="to")]


@router.get("/dashboard/survey", response_model=SurveyReport, response_model_by_alias=True)
def survey_results(*, session: SessionDep, settings: SettingsDep, user: ReportReader, sop: SopQuery = None, date_from: FromQuery = None,
                   date_to: ToQuery = None) -> SurveyReport:
    """Per SOP and in total for the period: respondents, each element's average (1–4), the IKM (25–100:
    the mean of the nine averages × 25) and its category (A Sangat Baik 88.31–100, B Baik 76.61–88.30,
    C Kurang Baik 65.00–76.60, D Tidak Baik 25.00–64.99), and the suggestions without identifiers."""
    return report_for(session, settings, user, sop, date_from, date_to)


HEADER = ["Layanan", "Kode layanan", "Dari", "Sampai", "Responden", *(ELEMENTS[k] for k in ELEMENT_KEYS), "IKM",
          "Kategori", "Mutu pelayanan"]


def report_rows(report: SurveyReport) -> list[list[object]]:
    """One line per SOP, then the agency's total: the same figures as the JSON report."""
    return [
        [row.sop_title, row.sop or "", report.date_from, report.date_to, row.respondents,
         *(e.average for e in row.elements), row.ikm, row.category, row.quality] if not row.withheld else
        [row.sop_title, row.sop or "", report.date_from, report.date_to, row.respondents, *[None] * 9, None, None,
         f"Kurang dari {report.min_respondents} responden: tidak ditampilkan"]
        for row in [*report.rows, *([report.total] if report.total else [])]
    ]


def filename(report: SurveyReport, extension: str) -> dict[str, str]:
    name = f"survei-{report.agency}-{report.date_from}-{report.date_to}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/exports/survey.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "the report as CSV"}})
def survey_csv(*, session: SessionDep, settings: SettingsDep, user: ReportReader, sop: SopQuery = None, date_from: FromQuery = None,
               date_to: ToQuery = None) -> Response:
    """The report's figures per SOP and in total (the suggestions are in the XLSX, on a sheet of their own)."""
    report = report_for(session, settings, user, sop, date_from, date_to)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([[str(value) for value in line] for line in report_rows(report)])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=filename(report, "csv"))


def as_text(sheet, row: int, column: int, value: str) -> None:  # type: ignore[no-untyped-def]
    """A typed-in text stays text: a suggestion starting with "=" is never a formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"


@router.get("/exports/survey.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the report as XLSX"}})
def survey_xlsx(*, session: SessionDep, settings: SettingsDep, user: ReportReader, sop: SopQuery = None, date_from: FromQuery = None,
                date_to: ToQuery = None) -> Response:
    """Sheet "IKM": the report's figures per SOP and in total; sheet "Saran": the suggestions, sorted, alone."""
    report = report_for(session, settings, user, sop, date_from, date_to)
    book = Workbook()
    sheet = book.active
    sheet.title = "IKM"
    sheet.append(HEADER)
    for line in report_rows(report):
        sheet.append([float(v) if not isinstance(v, (int, str, date)) else v for v in line])
    for column in (3, 4):  # the period's dates, shown as dates
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "yyyy-mm-dd"
    suggestions = book.create_sheet("Saran")
    suggestions.append(["Saran"])
    for n, text in enumerate(report.suggestions, start=2):
        as_text(suggestions, n, 1, text)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type=XLSX, headers=filename(report, "xlsx"))
