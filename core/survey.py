"""The satisfaction survey (Survei Kepuasan Masyarakat, Permenpan RB 14/2017): the invitation's signed link,
recording one anonymous answer per closed case, and the index (IKM) per SOP and period.

The link names the case in a signed, expiring token (no row until someone answers). An answer keeps the
case only as a keyed hash, so a second answer for the case is refused while no report can tell whose
answer is whose. IKM = the mean of the nine elements' averages × 25 (on the 4-point scale: 25–100).
"""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core.config import Settings
from core.db import session_scope
from core.messages import CaseStatus
from core.models import Case
from core.models_survey import ELEMENT_KEYS, SurveyAnswer
from core.roles import agency_timezone

SURVEY = "survey"  # the token's purpose (itsdangerous salt)
INVITATION_TEMPLATE = "survey_invitation"  # templates/email/survey_invitation.*
# The statuses whose closing invites the applicant; a case the applicant cancelled asks nothing.
SURVEYED_STATUSES = (CaseStatus.COMPLETED, CaseStatus.REJECTED)
# Who reads the results of their agency.
REPORT_ROLES = ("supervisor", "kepala_dinas", "kepala_bidang")

# The regulation's nine elements (unsur), in its order and words.
ELEMENTS: dict[str, str] = dict(zip(ELEMENT_KEYS, (
    "Persyaratan",
    "Sistem, mekanisme dan prosedur",
    "Waktu penyelesaian",
    "Biaya/tarif",
    "Produk spesifikasi jenis pelayanan",
    "Kompetensi pelaksana",
    "Perilaku pelaksana",
    "Penanganan pengaduan, saran dan masukan",
    "Sarana dan prasarana",
), strict=True))
SCALE = {1: "Tidak baik", 2: "Kurang baik", 3: "Baik", 4: "Sangat baik"}
# (lowest IKM of the category, letter, quality): A 88.31–100, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99.
CATEGORIES = ((Decimal("88.31"), "A", "Sangat Baik"), (Decimal("76.61"), "B", "Baik"),
              (Decimal("65.00"), "C", "Kurang Baik"), (Decimal("25.00"), "D", "Tidak Baik"))

INVALID_LINK = "Tautan survei tidak sah. Gunakan tautan dari e-mail undangan survei."
EXPIRED_LINK = "Tautan survei sudah kedaluwarsa."
NOT_CLOSED = "Survei hanya untuk layanan yang sudah selesai."
ALREADY_ANSWERED = "Survei untuk layanan ini sudah diisi. Terima kasih atas penilaian Anda."


class SurveyRefused(Exception):
    """A link or an answer the survey does not take: `status` as HTTP (404, 409, 410), `detail` in Indonesian."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def sop_title(sop: str) -> str:
    from workflows import SOPS  # imported late: the SOP modules import much of core

    found = SOPS.get(sop)
    return found.title if found is not None else sop


# ---- the link --------------------------------------------------------------------------------


def make_survey_token(secret: str, case_id: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SURVEY).dumps({"case": case_id})


def read_survey_token(secret: str, token: str, max_age_seconds: int) -> str:
    """The case id a valid, unexpired token names; SurveyRefused 410 when expired, 404 otherwise."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=SURVEY).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise SurveyRefused(410, EXPIRED_LINK) from None
    except BadData:  # a wrong signature, salt or secret; a token that is not one at all
        raise SurveyRefused(404, INVALID_LINK) from None
    case_id = payload.get("case") if isinstance(payload, dict) else None
    if not isinstance(case_id, str) or not case_id:
        raise SurveyRefused(404, INVALID_LINK)
    return case_id


def survey_link(settings: Settings, case_id: str) -> str:
    return f"{settings.base_url}/survei/{make_survey_token(settings.secret_key, case_id)}"


def invitation_context(settings: Settings, template: str, context: dict[str, Any]) -> dict[str, Any]:
    """What the invitation e-mail adds to a notice's context (activities.notify): its signed link, made when
    it is sent, so that the token never sits in the workflow's history."""
    if template != INVITATION_TEMPLATE or not context.get("case_id"):
        return {}
    return {"survey_link": survey_link(settings, context["case_id"]), "survey_days": settings.survey_days}


def case_key(secret: str, case_id: str) -> str:
    """The keyed hash that stands for the case in an answer: equal for the same case, opaque otherwise."""
    return hmac.new(secret.encode(), b"survey-case:" + case_id.encode(), hashlib.sha256).hexdigest()


# ---- answering -------------------------------------------------------------------------------

Score = Annotated[int, Field(ge=1, le=4, description="1 tidak baik, 2 kurang baik, 3 baik, 4 sangat baik")]


class SurveyAnswerIn(BaseModel):
    """The nine scores (1–4) and an optional suggestion."""

    persyaratan: Score
    prosedur: Score
    waktu: Score
    biaya: Score
    produk: Score
    kompetensi: Score
    perilaku: Score
    pengaduan: Score
    sarana: Score
    suggestion: str = Field(default="", max_length=2000)


class SurveyCase(BaseModel):
    """What the survey page shows about the case it asks for: the service, never a person."""

    sop: str
    sop_title: str
    agency: str
    period: date
    answered: bool


def _closed_case(session: Session, case_id: str) -> tuple[Case, date]:
    case = session.get(Case, case_id)
    if case is None or case.status not in SURVEYED_STATUSES or case.closed_at is None:
        raise SurveyRefused(404, NOT_CLOSED)
    return case, case.closed_at.astimezone(ZoneInfo(agency_timezone(case.agency))).date()


def _answered(session: Session, key: str) -> bool:
    return session.exec(select(SurveyAnswer.id).where(SurveyAnswer.case_key == key)).first() is not None


def _linked_case_id(settings: Settings, token: str) -> str:
    return read_survey_token(settings.secret_key, token, settings.survey_days * 86400)


def _view(case: Case, period: date, answered: bool) -> SurveyCase:
    return SurveyCase(sop=case.sop, sop_title=sop_title(case.sop), agency=case.agency, period=period, answered=answered)


def survey_case(engine: Engine, settings: Settings, token: str) -> SurveyCase:
    """The case a link asks about; SurveyRefused for a bad or expired link or a case not closed."""
    case_id = _linked_case_id(settings, token)
    with session_scope(engine) as session:
        case, period = _closed_case(session, case_id)
        return _view(case, period, _answered(session, case_key(settings.secret_key, case_id)))


def record_answer(engine: Engine, settings: Settings, token: str, answer: SurveyAnswerIn) -> SurveyCase:
    """Stores the answer once per case: SurveyRefused 409 for a second one (the unique case key decides,
    so two answers racing each other cannot both get in)."""
    case_id = _linked_case_id(settings, token)
    with session_scope(engine) as session:
        case, period = _closed_case(session, case_id)
        answered = _view(case, period, answered=True)  # before the commit expires the case row
        session.add(SurveyAnswer(case_key=case_key(settings.secret_key, case_id), sop=case.sop, agency=case.agency,
                                 period=period.replace(day=1), **answer.model_dump(exclude={"suggestion"}),
                                 suggestion=answer.suggestion.strip()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise SurveyRefused(409, ALREADY_ANSWERED) from None
    return answered


# ---- the index -------------------------------------------------------------------------------


def two_places(value: Fraction) -> Decimal:
    """Half up, as the regulation's worked examples round."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def category(ikm: Decimal) -> tuple[str, str]:
    """(letter, quality) of an IKM on the 25–100 scale, from its value rounded to two places."""
    rounded = ikm.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for lowest, letter, quality in CATEGORIES:
        if rounded >= lowest:
            return letter, quality
    raise ValueError(f"IKM {ikm} is below 25, the lowest the 4-point scale gives")


class ElementScore(BaseModel):
    element: str
    label: str
    average: Decimal  # on the 1–4 scale, two places


class SurveyRow(BaseModel):
    """One SOP in the period (sop None: all the agency's services together). With fewer respondents than
    the agency's minimum (ALUR_SURVEY_MIN_RESPONDENTS) the figures are withheld: only the count shows."""

    sop: str | None
    sop_title: str
    respondents: int
    withheld: bool = False
    elements: list[ElementScore] = Field(default_factory=list)
    ikm: Decimal | None = None  # 25–100, two places
    category: str | None = None  # A, B, C or D
    quality: str | None = None  # Sangat Baik, Baik, Kurang Baik, Tidak Baik


class SurveyReport(BaseModel):
    agency: str
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    rows: list[SurveyRow]  # per SOP with answers in the period, by SOP id
    total: SurveyRow | None  # every answer of the agency in the period (None without any)
    suggestions: list[str]  # the free-text suggestions, sorted, without any identifier (none when withheld)
    min_respondents: int  # the smallest group whose figures are shown


@dataclass(frozen=True)
class Tally:
    """Respondents and the sum of each element's scores."""

    respondents: int
    sums: Sequence[int]

    def row(self, sop: str | None, title: str, minimum: int) -> SurveyRow:
        if self.respondents < minimum:
            return SurveyRow(sop=sop, sop_title=title, respondents=self.respondents, withheld=True)
        averages = [Fraction(total, self.respondents) for total in self.sums]
        ikm = sum(averages, Fraction(0)) / len(averages) * 25
        letter, quality = category(two_places(ikm))
        return SurveyRow(
            sop=sop, sop_title=title, respondents=self.respondents,
            elements=[ElementScore(element=key, label=ELEMENTS[key], average=two_places(a))
                      for key, a in zip(ELEMENT_KEYS, averages, strict=True)],
            ikm=two_places(ikm), category=letter, quality=quality,
        )


ALL_SERVICES = "Semua layanan"


def survey_report(session: Session, agency: str, date_from: date, date_to: date, sop: str | None = None, *,
                  minimum: int) -> SurveyReport:
    """The agency's answers of the months from date_from's to date_to's, per SOP and in total. A group of
    fewer than `minimum` respondents shows its count only; the total is withheld too when the withheld
    groups together are below the minimum (it would give them away by subtraction), and the suggestions
    when all of them are."""
    date_from = date_from.replace(day=1)  # answers keep their month only
    where = [SurveyAnswer.agency == agency, col(SurveyAnswer.period) >= date_from, col(SurveyAnswer.period) <= date_to]
    if sop:
        where.append(SurveyAnswer.sop == sop)
    sums = [func.sum(getattr(SurveyAnswer, key)) for key in ELEMENT_KEYS]
    grouped = session.exec(select(SurveyAnswer.sop, func.count(), *sums)  # type: ignore[call-overload]
                           .where(*where).group_by(SurveyAnswer.sop).order_by(SurveyAnswer.sop)).all()
    tallies = {row[0]: Tally(int(row[1]), [int(s) for s in row[2:]]) for row in grouped}
    rows = [tally.row(key, sop_title(key), minimum) for key, tally in tallies.items()]
    total = None
    if tallies:
        both = Tally(sum(t.respondents for t in tallies.values()),
                     [sum(t.sums[i] for t in tallies.values()) for i in range(len(ELEMENT_KEYS))])
        hidden = sum(row.respondents for row in rows if row.withheld)
        total = both.row(None, ALL_SERVICES, minimum) if not 0 < hidden < minimum else \
            SurveyRow(sop=None, sop_title=ALL_SERVICES, respondents=both.respondents, withheld=True)
    suggestions = [] if total is None or total.withheld else \
        session.exec(select(SurveyAnswer.suggestion).where(*where, SurveyAnswer.suggestion != "")).all()
    return SurveyReport(agency=agency, date_from=date_from, date_to=date_to, rows=rows, total=total,
                        suggestions=sorted(suggestions), min_respondents=minimum)


def default_period(agency: str, now: datetime) -> tuple[date, date]:
    """From 1 January of this year to today, in the agency's zone."""
    today = now.astimezone(ZoneInfo(agency_timezone(agency))).date()
    return today.replace(month=1, day=1), today
