"""CSV and XLSX exports for the supervisors (issue 13): the agency's cases opened in a period, and the
per-step compliance figures of the dashboard. Same roles as the dashboard; times in agency time."""

from collections.abc import Callable
from datetime import date
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from api.dashboard import SupervisorUser, load_dashboard, load_export_cases
from api.deps import EngineDep, SettingsDep
from api.pages.labels import status_label
from api.routes.dashboard import REFUSALS, from_query, to_query
from core.config import Settings
from core.exports import CSV_TYPE, XLSX_TYPE, Table, cases_table, compliance_table, to_csv, to_xlsx
from core.models import User

router = APIRouter(prefix="/exports", tags=["exports"])
Format = Literal["csv", "xlsx"]
WRITERS: dict[str, tuple[str, Callable[[Table], bytes]]] = {"csv": (CSV_TYPE, to_csv), "xlsx": (XLSX_TYPE, to_xlsx)}


def export_response(engine: Engine, settings: Settings, user: User, kind: Literal["cases", "compliance"],
                    fmt: Format, sop: str | None, date_from: date | None, date_to: date | None) -> Response:
    """The file as an attachment named after the agency (or the SOP) and the period."""
    if kind == "cases":
        period, calendar, cases = load_export_cases(engine, user, sop, date_from, date_to)
        table, stem, start, end = cases_table(cases, calendar.zone, status_label), "kasus", period.date_from, period.date_to
    else:
        board = load_dashboard(engine, settings, user, sop, date_from, date_to)
        table, stem, start, end = compliance_table(board), "kepatuhan", board.date_from, board.date_to
    media_type, write = WRITERS[fmt]
    name = f"{stem}-{sop or user.agency}-{start.isoformat()}-{end.isoformat()}.{fmt}"
    return Response(write(table), media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


def file_doc(what: str) -> dict:
    return {**REFUSALS, 200: {"description": what, "content": {CSV_TYPE.split(";")[0]: {}, XLSX_TYPE: {}}}}


CASES_DOC = file_doc("The cases opened in the period: id, SOP, title, applicant, status, stage, created, closed, "
                     "overdue, service due (agency time)")
COMPLIANCE_DOC = file_doc("One row per SOP step: standard, open, overdue now, closed in the period, on time, "
                          "on-time %, median and p90 working time")


def export_route(kind: Literal["cases", "compliance"], fmt: Format) -> Callable[..., Response]:
    def export(*, user: SupervisorUser, engine: EngineDep, settings: SettingsDep, sop: str | None = None,
               date_from: date | None = from_query(), date_to: date | None = to_query()) -> Response:
        return export_response(engine, settings, user, kind, fmt, sop, date_from, date_to)

    return export


for _kind, _doc in (("cases", CASES_DOC), ("compliance", COMPLIANCE_DOC)):
    for _fmt in ("csv", "xlsx"):
        router.add_api_route(f"/{_kind}.{_fmt}", export_route(_kind, _fmt), methods=["GET"],  # type: ignore[arg-type]
                             response_class=Response, responses=_doc, name=f"export_{_kind}_{_fmt}",
                             summary=f"Export {_kind} as {_fmt.upper()}")
