"""The satisfaction survey over HTTP: the invitation a closed case sends (dev server, real worker, SMTP sink),
its link on the public page and the JSON API, one answer per case, and the agency's report and exports."""

import csv
import io
import re
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from openpyxl import load_workbook
from sqlmodel import func, select

from activities.mailsink import MailSink
from core.config import Settings
from core.db import session_scope
from core.models import Case
from core.models_survey import ELEMENT_KEYS, SurveyAnswer
from core.survey import ALREADY_ANSWERED, SURVEY, make_survey_token
from tests.api.conftest import Api
from tests.api.test_jathil_vendor_api import start
from tests.utils.factories import PASSWORD
from tests.utils.histories import maybe_save_history
from tests.utils.waiting import eventually
from tests.web.conftest import csrf_of

ALL_THREES = dict.fromkeys(ELEMENT_KEYS, 3)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Figures of one or two respondents shown: these tests read them (tests/core/test_survey.py holds the
    withholding of small groups)."""
    return settings.model_copy(update={"survey_min_respondents": 1})


def answers(api: Api) -> int:
    with session_scope(api.engine) as session:
        return session.exec(select(func.count()).select_from(SurveyAnswer)).one()


def closed(api: Api, case_id: str, agency: str = "ponorogo", status: str = "completed") -> str:
    """A closed case in the projection, and its survey token."""
    with session_scope(api.engine) as session:
        session.add(Case(id=case_id, sop="jathil-vendor", agency=agency, tracking_code=case_id[-10:].upper(),
                         applicant_name="Sri", status=status, stage="Disetujui",
                         closed_at=datetime(2026, 3, 2, 3, tzinfo=timezone.utc)))
        session.commit()
    return make_survey_token(api.settings.secret_key, case_id)


async def test_a_closed_case_invites_its_applicant_and_the_link_takes_one_answer(api: Api, mail_sink: MailSink) -> None:
    applicant, applicant_h = await api.user("umkm")
    _, field_h = await api.user("admin_bidang", "ponorogo")
    _, main_h = await api.user("admin_utama", "ponorogo")
    case = await start(api, applicant_h)
    assert (await api.decide(field_h, case["id"], "verify", "forward")).status_code == 200
    assert (await api.decide(main_h, case["id"], "approve", "approve")).status_code == 200

    mails = await eventually(lambda: [m for m in mail_sink.messages()
                                      if applicant.email in m["to"] and "Survei kepuasan" in m["subject"]])
    await maybe_save_history(api.temporal, case["id"], "jathil-vendor-approved-survey-invitation")
    assert len(mails) == 1 and case["tracking_code"] in mails[0]["subject"]
    match = re.search(r"http://alur\.test(/survei/\S+)", mails[0]["text"])
    assert match, mails[0]["text"]
    link = match.group(1)
    assert case["id"] not in link  # the case is named only inside the signed token

    page = await api.http.get(link)
    assert page.status_code == 200 and "Survei Kepuasan Masyarakat" in page.text
    assert page.text.count("<legend>") == 9 and "Penanganan pengaduan, saran dan masukan" in page.text
    csrf = csrf_of(page.text)

    missing = await api.http.post(link, data={"csrf": csrf, **{k: "4" for k in ELEMENT_KEYS[:-1]}})
    assert missing.status_code == 422 and "Pilih salah satu nilai" in missing.text and answers(api) == 0
    no_csrf = await api.http.post(link, data={k: "4" for k in ELEMENT_KEYS})
    assert no_csrf.status_code == 403 and answers(api) == 0

    sent = await api.http.post(link, data={"csrf": csrf, **{k: "4" for k in ELEMENT_KEYS}, "suggestion": "Cepat"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?pesan=terima-kasih")
    thanks = await api.http.get(sent.headers["location"])
    assert "Terima kasih, penilaian Anda sudah kami terima" in thanks.text and "<legend>" not in thanks.text
    assert answers(api) == 1

    token = link.removeprefix("/survei/")
    again = await api.http.post(f"/api/v1/survey/{token}", json=ALL_THREES)
    assert again.status_code == 409 and again.json()["detail"] == ALREADY_ANSWERED
    again_page = await api.http.post(link, data={"csrf": csrf, **{k: "1" for k in ELEMENT_KEYS}})
    assert again_page.status_code == 409 and "sudah diisi" in again_page.text
    assert answers(api) == 1

    _, supervisor_h = await api.user("supervisor", "ponorogo")
    today = date.today().isoformat()
    report = (await api.http.get(f"/api/v1/dashboard/survey?from=2000-01-01&to={today}", headers=supervisor_h)).json()
    # Closed today or yesterday in Jakarta: the survey's period is the closing date in the agency's zone.
    assert [(r["sop"], r["respondents"], r["ikm"]) for r in report["rows"]] == [("jathil-vendor", 1, "100.00")]
    assert report["suggestions"] == ["Cepat"]


async def test_the_api_refuses_bad_scores_tampered_or_expired_links_and_a_second_answer(api: Api) -> None:
    token = closed(api, "jathil-vendor-2026-000101")
    status = await api.http.get(f"/api/v1/survey/{token}")
    assert status.json() == {"sop": "jathil-vendor", "sop_title": status.json()["sop_title"], "agency": "ponorogo",
                             "period": "2026-03-02", "answered": False}

    bad = await api.http.post(f"/api/v1/survey/{token}", json={**ALL_THREES, "waktu": 5})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "waktu"]
    missing = await api.http.post(f"/api/v1/survey/{token}", json={"persyaratan": 4})
    assert missing.status_code == 422 and answers(api) == 0

    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    assert (await api.http.post(f"/api/v1/survey/{tampered}", json=ALL_THREES)).status_code == 404
    assert (await api.http.get(f"/survei/{tampered}")).status_code == 404

    class MonthsOld(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - (api.settings.survey_days + 1) * 86400

    expired = URLSafeTimedSerializer(api.settings.secret_key, salt=SURVEY, signer=MonthsOld).dumps(
        {"case": "jathil-vendor-2026-000101"})
    refused = await api.http.post(f"/api/v1/survey/{expired}", json=ALL_THREES)
    assert refused.status_code == 410 and "kedaluwarsa" in refused.json()["detail"]
    assert (await api.http.get(f"/survei/{expired}")).status_code == 410

    cancelled = closed(api, "jathil-vendor-2026-000102", status="cancelled")
    assert (await api.http.post(f"/api/v1/survey/{cancelled}", json=ALL_THREES)).status_code == 404
    assert answers(api) == 0

    first = await api.http.post(f"/api/v1/survey/{token}", json={**ALL_THREES, "suggestion": "Oke"})
    assert first.status_code == 201 and first.json()["answered"] is True
    second = await api.http.post(f"/api/v1/survey/{token}", json=ALL_THREES)
    assert second.status_code == 409 and answers(api) == 1


async def test_the_report_is_per_agency_for_its_supervisors_and_heads_and_exports_the_same(api: Api) -> None:
    for n, (agency, score) in enumerate([("ponorogo", 4), ("ponorogo", 3), ("dki", 1)]):
        token = closed(api, f"jathil-vendor-2026-00020{n}", agency=agency)
        body = {**dict.fromkeys(ELEMENT_KEYS, score), "suggestion": f"saran {agency} {n}"}
        assert (await api.http.post(f"/api/v1/survey/{token}", json=body)).status_code == 201
    period = "?from=2026-03-01&to=2026-03-31"

    _, supervisor_h = await api.user("supervisor", "ponorogo")
    mine = (await api.http.get(f"/api/v1/dashboard/survey{period}", headers=supervisor_h)).json()
    # Two respondents, all nine elements 4 and 3: each average (4+3)/2 = 3.5, IKM 3.5 × 25 = 87.50: B, Baik.
    assert mine["agency"] == "ponorogo" and (mine["from"], mine["to"]) == ("2026-03-01", "2026-03-31")
    (row,) = mine["rows"]
    assert (row["respondents"], row["ikm"], row["category"], row["quality"]) == (2, "87.50", "B", "Baik")
    assert {e["average"] for e in row["elements"]} == {"3.50"} and len(row["elements"]) == 9
    assert mine["suggestions"] == ["saran ponorogo 0", "saran ponorogo 1"]

    _, head_h = await api.user("kepala_dinas", "dki")
    theirs = (await api.http.get(f"/api/v1/dashboard/survey{period}", headers=head_h)).json()
    assert [(r["respondents"], r["ikm"], r["category"]) for r in theirs["rows"]] == [(1, "25.00", "D")]
    assert "ponorogo" not in str(theirs)
    _, division_h = await api.user("kepala_bidang", "ponorogo")
    assert (await api.http.get(f"/api/v1/dashboard/survey{period}", headers=division_h)).status_code == 200

    for role, agency in (("admin_bidang", "ponorogo"), ("kasi", "ponorogo"), ("umkm", None)):
        _, headers = await api.user(role, agency)
        for path in ("/api/v1/dashboard/survey", "/api/v1/exports/survey.csv", "/api/v1/exports/survey.xlsx"):
            assert (await api.http.get(path, headers=headers)).status_code == 403, (role, path)
    assert (await api.http.get("/api/v1/dashboard/survey")).status_code == 401
    unknown = await api.http.get("/api/v1/dashboard/survey?sop=nope", headers=supervisor_h)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "sop"]
    backwards = await api.http.get("/api/v1/dashboard/survey?from=2026-04-01&to=2026-03-01", headers=supervisor_h)
    assert backwards.status_code == 422
    assert (await api.http.get("/api/v1/dashboard/survey?from=kemarin", headers=supervisor_h)).status_code == 422

    xlsx = await api.http.get(f"/api/v1/exports/survey.xlsx{period}", headers=supervisor_h)
    assert xlsx.status_code == 200 and "survei-ponorogo-2026-03-01-2026-03-31.xlsx" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["IKM"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Layanan", "Kode layanan", "Dari", "Sampai", "Responden") and len(rows[0]) == 5 + 9 + 3
    assert [r[1] for r in rows[1:]] == ["jathil-vendor", None]  # the SOP, then the agency's total (no code)
    for line in rows[1:]:
        assert line[4] == 2 and line[5:14] == (3.5,) * 9 and (Decimal(str(line[14])), line[15], line[16]) == \
            (Decimal("87.5"), "B", "Baik")
    assert [r[0] for r in book["Saran"].iter_rows(values_only=True)] == ["Saran", "saran ponorogo 0", "saran ponorogo 1"]
    assert "jathil-vendor-2026" not in str(rows) and "dki" not in str(rows)

    exported = await api.http.get(f"/api/v1/exports/survey.csv{period}", headers=supervisor_h)
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0][0] == "Layanan" and [r[1] for r in table[1:]] == ["jathil-vendor", ""]
    assert table[1][4:] == ["2", *["3.50"] * 9, "87.50", "B", "Baik"]

    # The page, for a supervisor logged in; another staff role gets the refusal page.
    login = await api.http.get("/masuk")
    supervisor = (await api.user("supervisor", "ponorogo"))[0]
    await api.http.post("/masuk", data={"csrf": csrf_of(login.text), "email": supervisor.email, "password": PASSWORD})
    page = await api.http.get("/dasbor/survei?dari=2026-03-01&sampai=2026-03-31")
    assert page.status_code == 200 and "87.50" in page.text and "B (Baik)" in page.text and "saran ponorogo 1" in page.text
    assert "saran dki" not in page.text and "/api/v1/exports/survey.xlsx?sop=&amp;from=2026-03-01" in page.text
    assert (await api.http.get("/dasbor/survei?dari=31-03-2026")).status_code == 422
