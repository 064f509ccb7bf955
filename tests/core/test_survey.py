"""The satisfaction survey's arithmetic and rules (core.survey) on a SQLite file: the IKM against a hand
calculation, the category boundaries, one answer per case, and links that were tampered with or expired."""

import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from sqlmodel import select

from core.config import Settings
from core.db import session_scope
from core.models import Case
from core.models_survey import ELEMENT_KEYS, SurveyAnswer
from core.survey import (
    SURVEY, SurveyAnswerIn, SurveyRefused, case_key, category, make_survey_token, read_survey_token, record_answer,
    survey_case, survey_report,
)

SECRET = "test-secret"


def answer(sop: str, scores: tuple[int, ...], agency: str = "ponorogo", period: date = date(2026, 3, 10),
           suggestion: str = "") -> SurveyAnswer:
    return SurveyAnswer(case_key=f"k{time.perf_counter_ns()}", sop=sop, agency=agency, period=period,
                        **dict(zip(ELEMENT_KEYS, scores, strict=True)), suggestion=suggestion)


def add(engine: Engine, *rows: SurveyAnswer | Case) -> None:
    with session_scope(engine) as session:
        session.add_all(rows)
        session.commit()


def closed_case(case_id: str, status: str = "completed", agency: str = "ponorogo") -> Case:
    # 17:30 UTC on 31 March is already 1 April in Jakarta: the period is the agency's date.
    return Case(id=case_id, sop="jathil-vendor", agency=agency, tracking_code=case_id[-8:].upper(),
                applicant_name="Sri Wahyuni", status=status, stage="Disetujui",
                closed_at=datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc) if status != "open" else None)


def test_the_index_matches_a_hand_calculation(engine: Engine) -> None:
    add(engine,
        answer("jathil-vendor", (4, 3, 2, 4, 3, 3, 4, 2, 3), suggestion="Antrian dipercepat"),
        answer("jathil-vendor", (3, 3, 3, 4, 4, 3, 4, 3, 3)),
        answer("jathil-vendor", (4, 4, 2, 4, 3, 4, 4, 3, 2), suggestion="Ruang tunggu panas"),
        answer("jathil-vendor", (4, 3, 3, 4, 4, 4, 3, 1, 3), period=date(2026, 5, 1)),  # outside the period
        answer("jathil-vendor", (1, 1, 1, 1, 1, 1, 1, 1, 1), agency="dki"),  # another agency
        answer("gallery-curation", (2, 2, 3, 4, 2, 2, 3, 2, 2)))
    with session_scope(engine) as session:
        report = survey_report(session, "ponorogo", date(2026, 3, 1), date(2026, 3, 31), minimum=1)

    vendor, gallery = sorted(report.rows, key=lambda r: r.sop or "", reverse=True)
    # jathil-vendor, three respondents. Element sums / 3:
    #   persyaratan 4+3+4=11 -> 3.667   prosedur 3+3+4=10 -> 3.333   waktu 2+3+2=7 -> 2.333
    #   biaya 4+4+4=12 -> 4.000         produk 3+4+3=10 -> 3.333     kompetensi 3+3+4=10 -> 3.333
    #   perilaku 4+4+4=12 -> 4.000      pengaduan 2+3+3=8 -> 2.667   sarana 3+3+2=8 -> 2.667
    # mean of the nine averages = (11+10+7+12+10+10+12+8+8) / 3 / 9 = 88/27 = 3.259259...
    # IKM = 88/27 × 25 = 2200/27 = 81.4814... -> 81.48: category B (76.61–88.30), Baik
    assert vendor.respondents == 3
    assert [e.average for e in vendor.elements] == [Decimal(x) for x in
                                                    ("3.67", "3.33", "2.33", "4.00", "3.33", "3.33", "4.00", "2.67", "2.67")]
    assert (vendor.ikm, vendor.category, vendor.quality) == (Decimal("81.48"), "B", "Baik")
    # gallery-curation, one respondent: (2+2+3+4+2+2+3+2+2) / 9 = 22/9; × 25 = 550/9 = 61.11: D, Tidak Baik
    assert (gallery.respondents, gallery.ikm, gallery.category, gallery.quality) == (1, Decimal("61.11"), "D", "Tidak Baik")
    # All the agency's services: sums 11+2, 10+2, 7+3, 12+4, 10+2, 10+2, 12+3, 8+2, 8+2 = 110 over 4 respondents;
    # 110 / 4 / 9 × 25 = 2750/36 = 76.388... -> 76.39: category C (65.00–76.60), Kurang Baik
    assert report.total is not None and report.total.respondents == 4
    assert (report.total.ikm, report.total.category) == (Decimal("76.39"), "C")
    assert report.suggestions == ["Antrian dipercepat", "Ruang tunggu panas"]  # sorted, no identifier
    with session_scope(engine) as session:
        only = survey_report(session, "ponorogo", date(2026, 3, 1), date(2026, 3, 31), sop="gallery-curation",
                             minimum=1)
    assert [r.sop for r in only.rows] == ["gallery-curation"] and only.total and only.total.respondents == 1


def test_small_groups_show_their_count_only(engine: Engine) -> None:
    """With a minimum of 3: gallery's single answer is withheld, and so is the total, which would give it
    away by subtracting jathil-vendor's figures; the suggestions go with the total."""
    add(engine, *(answer("jathil-vendor", (4,) * 9, suggestion="Cepat") for _ in range(3)),
        answer("gallery-curation", (1,) * 9, period=date(2026, 3, 1)))
    with session_scope(engine) as session:
        report = survey_report(session, "ponorogo", date(2026, 3, 20), date(2026, 3, 31), minimum=3)
    assert report.date_from == date(2026, 3, 1)  # answers keep their month only: the report counts whole months
    vendor, gallery = sorted(report.rows, key=lambda r: r.sop or "", reverse=True)
    assert (vendor.withheld, vendor.ikm) == (False, Decimal("100.00"))
    assert (gallery.respondents, gallery.withheld, gallery.elements, gallery.ikm) == (1, True, [], None)
    assert report.total and (report.total.respondents, report.total.withheld) == (4, True)
    assert report.suggestions == []
    with session_scope(engine) as session:
        vendor_only = survey_report(session, "ponorogo", date(2026, 3, 1), date(2026, 3, 31), "jathil-vendor", minimum=3)
    assert vendor_only.total and not vendor_only.total.withheld and vendor_only.suggestions == ["Cepat"] * 3


def test_an_answer_keeps_the_month_of_the_closing_only(engine: Engine, settings: Settings) -> None:
    case = closed_case("jathil-vendor-2026-000009")
    case.closed_at = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)
    add(engine, case)
    record_answer(engine, settings, make_survey_token(settings.secret_key, "jathil-vendor-2026-000009"),
                  SurveyAnswerIn(**dict.fromkeys(ELEMENT_KEYS, 2)))
    with session_scope(engine) as session:
        assert session.exec(select(SurveyAnswer.period)).all() == [date(2026, 3, 1)]


@pytest.mark.parametrize(("ikm", "expected"), [
    ("100", ("A", "Sangat Baik")), ("88.31", ("A", "Sangat Baik")), ("88.305", ("A", "Sangat Baik")),
    ("88.30", ("B", "Baik")), ("76.61", ("B", "Baik")), ("76.60", ("C", "Kurang Baik")),
    ("65.00", ("C", "Kurang Baik")), ("64.99", ("D", "Tidak Baik")), ("25.00", ("D", "Tidak Baik")),
])
def test_category_boundaries(ikm: str, expected: tuple[str, str]) -> None:
    assert category(Decimal(ikm)) == expected


def test_one_answer_per_case_kept_as_a_keyed_hash(engine: Engine, settings: Settings) -> None:
    add(engine, closed_case("jathil-vendor-2026-000001"))
    token = make_survey_token(settings.secret_key, "jathil-vendor-2026-000001")
    scores = SurveyAnswerIn(**dict.fromkeys(ELEMENT_KEYS, 3), suggestion="  Bagus  ")
    done = record_answer(engine, settings, token, scores)
    assert done.answered and done.period == date(2026, 4, 1) and done.sop == "jathil-vendor"
    with pytest.raises(SurveyRefused) as second:
        record_answer(engine, settings, token, scores)
    assert second.value.status == 409
    with session_scope(engine) as session:
        (row,) = session.exec(select(SurveyAnswer)).all()
    assert row.case_key == case_key(settings.secret_key, "jathil-vendor-2026-000001") != "jathil-vendor-2026-000001"
    assert "jathil-vendor-2026" not in str(row.model_dump()) and row.suggestion == "Bagus"


def test_open_and_cancelled_cases_are_not_surveyed(engine: Engine, settings: Settings) -> None:
    add(engine, closed_case("consultation-2026-000001", status="open"),
        closed_case("consultation-2026-000002", status="cancelled"))
    for case_id in ("consultation-2026-000001", "consultation-2026-000002", "no-such-case"):
        with pytest.raises(SurveyRefused) as refused:
            survey_case(engine, settings, make_survey_token(settings.secret_key, case_id))
        assert refused.value.status == 404


class MonthOld(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 31 * 86400


def test_tampered_and_expired_links_are_refused() -> None:
    token = make_survey_token(SECRET, "jathil-vendor-2026-000001")
    assert read_survey_token(SECRET, token, 86400) == "jathil-vendor-2026-000001"
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), make_survey_token("another", "x"),
                URLSafeTimedSerializer(SECRET, salt="verify").dumps({"case": "jathil-vendor-2026-000001"}), "x"):
        with pytest.raises(SurveyRefused) as refused:
            read_survey_token(SECRET, bad, 86400)
        assert refused.value.status == 404
    old = URLSafeTimedSerializer(SECRET, salt=SURVEY, signer=MonthOld).dumps({"case": "jathil-vendor-2026-000001"})
    with pytest.raises(SurveyRefused) as expired:
        read_survey_token(SECRET, old, 30 * 86400)
    assert expired.value.status == 410
