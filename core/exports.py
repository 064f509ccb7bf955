"""CSV and XLSX exports for the supervisors (issue 13): the cases of a period and the step compliance
figures. A Table is written either way; times are the agency's local time (stored UTC)."""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from core.dashboard import Dashboard
from core.models import Case

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass
class Table:
    title: str  # the XLSX sheet's name (at most 31 characters)
    headers: list[str]
    rows: list[list[Any]]  # str, int, float, None, or naive local datetimes


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Agency time without a zone: what a spreadsheet cell holds."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None


def yes_no(value: bool) -> str:
    return "Ya" if value else "Tidak"


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Indonesian text as such."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else v.strftime(TIME_FORMAT) if isinstance(v, datetime) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = XLSX_TIME_FORMAT
    for n, header in enumerate(table.headers, start=1):
        widest = max([len(header), *(len(_shown(r[n - 1])) for r in table.rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width = min(widest + 2, 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shown(value: Any) -> str:
    return value.strftime(TIME_FORMAT) if isinstance(value, datetime) else "" if value is None else str(value)


CASE_HEADERS = ["Nomor kasus", "Layanan", "Judul", "Pemohon", "Status", "Tahap", "Dibuat", "Ditutup", "Terlambat",
                "Batas waktu layanan"]


def cases_table(cases: Iterable[Case], zone: ZoneInfo, status_label: Callable[[str], str]) -> Table:
    return Table("Kasus", CASE_HEADERS, [
        [c.id, c.sop, c.title, c.applicant_name, status_label(c.status), c.stage, local(c.created_at, zone),
         local(c.closed_at, zone), yes_no(c.overdue), local(c.service_due_at, zone)] for c in cases])


COMPLIANCE_HEADERS = [
    "Layanan", "Langkah", "Nama langkah", "Standar waktu", "Standar (menit kerja)", "Terbuka", "Terlambat sekarang",
    "Selesai dalam periode", "Selesai dengan standar", "Tepat waktu", "Tepat waktu (%)", "Median (menit kerja)",
    "Median", "P90 (menit kerja)", "P90",
]


def compliance_table(board: Dashboard) -> Table:
    """The per-step figures of the dashboard, one row per step of each SOP."""
    rows = []
    for sop in board.sops:
        for s in sop.steps:
            rows.append([
                sop.sop, s.step, s.title, s.standard.text if s.standard else None,
                s.standard.minutes if s.standard else None, s.open, s.overdue_now, s.closed, s.with_standard,
                s.on_time, s.on_time_percent, s.median.minutes if s.median else None,
                s.median.text if s.median else None, s.p90.minutes if s.p90 else None, s.p90.text if s.p90 else None,
            ])
    return Table("Kepatuhan", COMPLIANCE_HEADERS, rows)
