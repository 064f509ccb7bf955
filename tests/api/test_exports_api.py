"""The supervisors' exports: the cases of a period and the step compliance, as CSV and as XLSX, read back
with the csv module and openpyxl; times in the agency's zone."""

import csv
import io
from datetime import datetime, timedelta, timezone

import httpx
import openpyxl

from core.config import Settings
from core.db import engine_for
from tests.api.test_dashboard_api import headers_for, http  # noqa: F401  (the fixture)
from tests.utils.dashboard import Seeded

WIB = timezone(timedelta(hours=7))
PERIOD = {"from": "2026-08-10", "to": "2026-08-23"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 8, day, hour, minute, tzinfo=WIB)


def seed(settings: Settings) -> None:
    engine = engine_for(settings.database_url)
    # Approved: verify Fri 14:00 -> Tue 10:00 across Independence Day (240 working minutes, on time), approve
    # Tue 10:00 -> Wed 11:00 (360 + 180 = 540, on time).
    done = Seeded(engine, "jathil-vendor-2026-000010", at(14, 14), applicant="Sri Wahyuni")
    done.open("verify", at(14, 14), due=at(18, 14))
    done.open("approve", at(18, 10), due=at(19, 16), event=None)
    done.close("verify", at(18, 10))
    done.close("approve", at(19, 11), action="approve", case_closes=True)
    # Open, verify late: closed after its deadline (Mon 09:00 -> Wed 09:00 = 960 minutes), revise open.
    late = Seeded(engine, "jathil-vendor-2026-000011", at(10, 2), applicant="Budi Santoso")  # 02:00 WIB
    late.open("verify", at(10, 9), due=at(11, 9))
    late.open("revise", at(12, 9), role="umkm", event=None)
    late.close("verify", at(12, 9), action="return")
    # Outside: opened before the period; another agency's case inside it.
    Seeded(engine, "jathil-vendor-2026-000009", at(3, 9)).open("verify", at(3, 9))
    Seeded(engine, "gallery-curation-2026-000010", at(12, 9), agency="jatim", sop="gallery-curation").open(
        "check", at(12, 9))


CASE_ROWS = [
    ["jathil-vendor-2026-000011", "jathil-vendor", "Usaha Budi Santoso", "Budi Santoso", "Dalam proses", "Verifikasi",
     "2026-08-10 02:00", "", "Tidak", ""],
    ["jathil-vendor-2026-000010", "jathil-vendor", "Usaha Sri Wahyuni", "Sri Wahyuni", "Selesai", "Verifikasi",
     "2026-08-14 14:00", "2026-08-19 11:00", "Tidak", ""],
]


async def test_cases_as_csv_and_xlsx(http: httpx.AsyncClient, settings: Settings) -> None:  # noqa: F811
    seed(settings)
    headers = await headers_for(http, settings, "kepala_dinas", "ponorogo")
    response = await http.get("/api/v1/exports/cases.csv", params=PERIOD, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="kasus-ponorogo-2026-08-10-2026-08-23.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Nomor kasus", "Layanan", "Judul", "Pemohon", "Status", "Tahap", "Dibuat", "Ditutup",
                       "Terlambat", "Batas waktu layanan"]
    assert rows[1:] == CASE_ROWS

    response = await http.get("/api/v1/exports/cases.xlsx", params={**PERIOD, "sop": "jathil-vendor"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == (
        'attachment; filename="kasus-jathil-vendor-2026-08-10-2026-08-23.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Kasus" and values[0][0] == "Nomor kasus" and len(values) == 3
    assert values[1][:6] == CASE_ROWS[0][:6] and values[1][6] == datetime(2026, 8, 10, 2, 0) and values[1][7] is None
    assert values[2][6:8] == [datetime(2026, 8, 14, 14, 0), datetime(2026, 8, 19, 11, 0)]


async def test_compliance_as_csv_and_xlsx(http: httpx.AsyncClient, settings: Settings) -> None:  # noqa: F811
    seed(settings)
    headers = await headers_for(http, settings, "supervisor", "ponorogo")
    params = {**PERIOD, "sop": "jathil-vendor"}
    response = await http.get("/api/v1/exports/compliance.csv", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="kepatuhan-jathil-vendor-2026-08-10-2026-08-23.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Layanan", "Langkah", "Nama langkah"] and len(rows) == 4  # verify, revise, approve
    by_step = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    verify = by_step["verify"]
    # Closed in the period: 240 (on time) and 960 (late); one more open (outside the period, in time or not).
    assert (verify["Selesai dalam periode"], verify["Tepat waktu"], verify["Tepat waktu (%)"]) == ("2", "1", "50.0")
    assert (verify["Median (menit kerja)"], verify["P90 (menit kerja)"]) == ("600", "960")
    assert verify["Median"] == "1 hari 2 jam kerja" and verify["Standar waktu"] == "1 hari kerja"
    approve = by_step["approve"]
    assert (approve["Selesai dalam periode"], approve["Tepat waktu (%)"], approve["Median (menit kerja)"]) == (
        "1", "100.0", "540")
    revise = by_step["revise"]
    assert (revise["Terbuka"], revise["Selesai dalam periode"], revise["Tepat waktu (%)"]) == ("1", "0", "")

    response = await http.get("/api/v1/exports/compliance.xlsx", params=params, headers=headers)
    assert response.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == rows[0] and [v[1] for v in values[1:]] == ["verify", "revise", "approve"]
    assert values[1][7:12] == [2, 2, 1, 50.0, 600]


async def test_exports_are_for_the_three_roles_only(http: httpx.AsyncClient, settings: Settings) -> None:  # noqa: F811
    headers = await headers_for(http, settings, "petugas", "ponorogo")
    for path in ("cases.csv", "cases.xlsx", "compliance.csv", "compliance.xlsx"):
        assert (await http.get(f"/api/v1/exports/{path}", headers=headers)).status_code == 403
    supervisor = await headers_for(http, settings, "supervisor", "ponorogo")
    bad = await http.get("/api/v1/exports/cases.csv", params={"from": "2026-08-23", "to": "2026-08-10"}, headers=supervisor)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "from"]
