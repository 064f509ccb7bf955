"""Pydantic's date-time errors read in Indonesian, like every other field error (core.forms.MESSAGES)."""

from pydantic import AwareDatetime, Field

from core.forms import Form, check


class Meeting(Form):
    starts_at: AwareDatetime = Field(title="Waktu pertemuan")


def message(value: object) -> tuple[str, str]:
    [error] = check(Meeting, {"starts_at": value}).errors
    return error["type"], error["msg"]


def test_datetime_errors_are_indonesian() -> None:
    wrong_format = "Waktu tidak valid (format YYYY-MM-DDTHH:MM+07:00)"
    assert message("2026-08-05T09:00") == ("timezone_aware", "Sertakan zona waktu, contoh 2026-08-05T09:00+07:00 (WIB)")
    assert message("besok pagi") == ("datetime_from_date_parsing", wrong_format)
    assert message("2026-08-05T25:00+07:00") == ("datetime_from_date_parsing", wrong_format)
    assert message(10**20) == ("datetime_parsing", wrong_format)  # a timestamp out of range
    assert message(None) == ("datetime_type", wrong_format)
    assert check(Meeting, {"starts_at": "2026-08-05T09:00+07:00"}).data == {"starts_at": "2026-08-05T09:00:00+07:00"}
