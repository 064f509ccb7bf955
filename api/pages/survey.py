"""The survey's pages: the public form behind the invitation's link (/survei/{token}) and the agency's
results for its supervisors and heads (/dasbor/survei). Both read and write through core.survey."""

from datetime import date

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.pages.web import CheckedForm, StaffPage, db, page_router, redirect, render, settings_of
from api.routes.survey import REPORT_ONLY, report_for
from core.models_survey import ELEMENT_KEYS
from core.survey import (
    ALREADY_ANSWERED, ELEMENTS, REPORT_ROLES, SCALE, SurveyAnswerIn, SurveyRefused, record_answer, survey_case,
)
from workflows import SOPS

router = page_router()
THANKS = "Terima kasih, penilaian Anda sudah kami terima."
CHOOSE = "Pilih salah satu nilai"


def _refused(error: SurveyRefused) -> ApiError:
    return ApiError(error.status, error.detail)


def survey_form(request: Request, token: str, status: int = 200, values: dict | None = None,
                errors: dict | None = None, notice: str | None = None) -> Response:
    try:
        case = survey_case(request.app.state.engine, settings_of(request), token)
    except SurveyRefused as error:
        raise _refused(error) from None
    return render(request, "survey.html", status=status, case=case, token=token, elements=ELEMENTS, scale=SCALE,
                  values=values or {}, errors=errors or {}, notice=notice)


@router.get("/survei/{token}")
def survey_page(request: Request, token: str, pesan: str = "") -> Response:
    return survey_form(request, token, notice=THANKS if pesan == "terima-kasih" else None)


@router.post("/survei/{token}")
async def answer_page(request: Request, token: str, form: CheckedForm) -> Response:
    values = {key: str(form.get(key) or "") for key in (*ELEMENT_KEYS, "suggestion")}
    errors = {key: CHOOSE for key in ELEMENT_KEYS if values[key] not in ("1", "2", "3", "4")}
    if len(values["suggestion"]) > 2000:
        errors["suggestion"] = "Saran paling banyak 2000 karakter"
    if errors:
        return await run_in_threadpool(survey_form, request, token, 422, values, errors)
    answer = SurveyAnswerIn(**{k: int(values[k]) for k in ELEMENT_KEYS}, suggestion=values["suggestion"])
    try:
        await run_in_threadpool(record_answer, request.app.state.engine, settings_of(request), token, answer)
    except SurveyRefused as error:
        if error.detail == ALREADY_ANSWERED:
            return await run_in_threadpool(survey_form, request, token, 409)
        raise _refused(error) from None
    return redirect(f"/survei/{token}?pesan=terima-kasih")


def _date(text: str, name: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        errors.append(f"Tanggal {name} tidak sah (gunakan format TTTT-BB-HH)")
        return None


@router.get("/dasbor/survei")
def survey_results_page(request: Request, user: StaffPage, sop: str = "", dari: str = "",
                        sampai: str = "") -> Response:
    """The index per SOP and in total for the period, each element's average, and the suggestions."""
    if user.role not in REPORT_ROLES:
        raise ApiError(403, REPORT_ONLY)
    errors: list[str] = []
    date_from, date_to = _date(dari, "awal", errors), _date(sampai, "akhir", errors)
    report = None
    if not errors:
        try:
            with db(request) as session:
                report = report_for(session, settings_of(request), user, sop or None, date_from, date_to)
        except ApiError as error:
            errors = [item["msg"] for item in error.detail] if isinstance(error.detail, list) else [str(error.detail)]
    query = f"?sop={sop}&from={report.date_from}&to={report.date_to}" if report else ""
    return render(request, "survey_results.html", status=422 if errors else 200, report=report, errors=errors,
                  sop=sop, dari=dari, sampai=sampai, sops=SOPS, elements=ELEMENTS, query=query)
