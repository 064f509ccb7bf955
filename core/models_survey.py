"""Satisfaction survey answers (Survei Kepuasan Masyarakat, Permenpan RB 14/2017).

Anonymous by construction: a row holds the SOP, the agency, the period (the first day of the case's closing month in the
agency's zone), the nine scores and the suggestion. The case appears only as `case_key`, a keyed hash
(core.survey.case_key) that makes a second answer for the same case collide, and that no report can
join back to a case or a person.
"""

from datetime import date

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

# The nine elements of Permenpan RB 14/2017, in its order: the column names (core.survey labels them).
ELEMENT_KEYS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan",
                "sarana")


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answers"
    __table_args__ = tuple(CheckConstraint(f"{key} BETWEEN 1 AND 4", name=f"{key}_scale") for key in ELEMENT_KEYS)

    id: int | None = Field(default=None, primary_key=True)
    case_key: str = Field(unique=True, max_length=64)  # HMAC-SHA256 of the case id, hex: one answer per case
    sop: str = Field(index=True, max_length=40)
    agency: str = Field(index=True, max_length=30)
    period: date = Field(index=True)  # the first day of the closing month: answers keep their month only
    persyaratan: int
    prosedur: int
    waktu: int
    biaya: int
    produk: int
    kompetensi: int
    perilaku: int
    pengaduan: int
    sarana: int
    suggestion: str = Field(default="", max_length=2000)
