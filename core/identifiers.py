"""Validation and normalisation of Indonesian identifiers for UMKM forms.

Every ``normalize_*`` function returns the canonical form or raises
``IdentifierError`` whose ``str()`` is an Indonesian message for applicants.
The ``Annotated`` types at the bottom plug these into pydantic v2 models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from stdnum.exceptions import InvalidComponent, ValidationError
from stdnum.id import nik as _nik
from stdnum.id import npwp as _npwp

__all__ = [
    "IdentifierError",
    "normalize_nik",
    "normalize_nib",
    "normalize_phone",
    "format_phone_local",
    "normalize_email",
    "normalize_npwp",
    "Nik",
    "Nib",
    "MobilePhone",
    "Email",
    "Npwp",
    "MSG_NIK",
    "MSG_NIK_DATE",
    "MSG_NIK_REGION",
    "MSG_NIB",
    "MSG_PHONE",
    "MSG_EMAIL",
    "MSG_NPWP",
]

MSG_NIK = "NIK harus 16 digit angka sesuai KTP"
MSG_NIK_DATE = "NIK tidak valid: tanggal lahir tidak sesuai"
MSG_NIK_REGION = "NIK tidak valid: kode wilayah tidak dikenal"
MSG_NIB = "NIB harus 13 digit angka"
MSG_PHONE = "Nomor HP harus nomor seluler Indonesia, contoh 081234567890"
MSG_EMAIL = "Alamat e-mail tidak valid"
MSG_NPWP = "NPWP tidak valid"

_ASCII_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() also accepts e.g. Arabic-Indic digits
_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
# National significant number of a mobile line: "8" + 8..11 digits.
_MOBILE_NSN = re.compile(r"8[0-9]{8,11}")


class IdentifierError(ValueError):
    """Invalid identifier; ``str(err)`` is the Indonesian message."""


def _is_digits(value: str) -> bool:
    return _ASCII_DIGITS.fullmatch(value) is not None


def normalize_nik(value: str) -> str:
    """KTP NIK -> 16 digits (separators ' ', '.', '-' removed)."""
    number = _nik.compact(value)
    if not _is_digits(number) or len(number) != 16:
        raise IdentifierError(MSG_NIK)
    # Day is 01-31, or 41-71 for women. stdnum takes day % 40, so it would
    # also accept 81-99; reject those ourselves.
    day = int(number[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise IdentifierError(MSG_NIK_DATE)
    try:
        _nik.get_birth_date(number)
    except ValidationError:
        raise IdentifierError(MSG_NIK_DATE) from None
    try:
        return _nik.validate(number)
    except InvalidComponent:  # date already checked, so this is the region
        raise IdentifierError(MSG_NIK_REGION) from None
    except ValidationError:
        raise IdentifierError(MSG_NIK) from None


def normalize_nib(value: str) -> str:
    """OSS Nomor Induk Berusaha -> 13 digits (spaces removed)."""
    number = re.sub(r"\s", "", value)
    if len(number) != 13 or not _is_digits(number):
        raise IdentifierError(MSG_NIB)
    return number


def normalize_phone(value: str) -> str:
    """Indonesian mobile number -> '628…' (E.164 without '+').

    Accepts 08…, +628…, 628…, 00628…, 8… and the common '+62 08…' mistake,
    with spaces, dashes, dots or parentheses.
    """
    number = _PHONE_SEPARATORS.sub("", value)
    if number.startswith("+"):
        number = number[1:]
        if not number.startswith("62"):  # foreign country code
            raise IdentifierError(MSG_PHONE)
    elif number.startswith("0062"):
        number = number[2:]
    if not _is_digits(number):
        raise IdentifierError(MSG_PHONE)
    if number.startswith("62"):
        number = number[2:]
        if number.startswith("08"):  # "+62 0812…"
            number = number[1:]
    elif number.startswith("0"):
        number = number[1:]
    if not _MOBILE_NSN.fullmatch(number):
        raise IdentifierError(MSG_PHONE)
    return "62" + number


def format_phone_local(value: str) -> str:
    """Any accepted mobile form -> local display form, e.g. '0812-3456-789'."""
    local = "0" + normalize_phone(value)[2:]
    return f"{local[:4]}-{local[4:8]}-{local[8:]}"


def normalize_email(value: str) -> str:
    """Syntax-check an e-mail address (no DNS) and return it lowercased."""
    try:
        info = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise IdentifierError(MSG_EMAIL) from None
    return info.normalized.lower()


def normalize_npwp(value: str) -> str:
    """NPWP (15-digit old or 16-digit new format) -> digits only."""
    try:
        return _npwp.validate(value)
    except ValidationError:
        raise IdentifierError(MSG_NPWP) from None


def _wrap(func: Callable[[str], str], kind: str) -> Callable[[str], str]:
    """Adapt a normaliser so pydantic reports the Indonesian message verbatim."""

    def validator(value: str) -> str:
        try:
            return func(value)
        except IdentifierError as err:
            # Messages contain no '{…}', so the template renders unchanged.
            raise PydanticCustomError(kind, str(err)) from None

    validator.__name__ = func.__name__
    return validator


def _widget(kind: str) -> Any:
    """How the pages draw such a field (see api.pages.fields)."""
    return Field(json_schema_extra={"widget": kind})


Nik = Annotated[str, AfterValidator(_wrap(normalize_nik, "nik")), _widget("digits")]
Nib = Annotated[str, AfterValidator(_wrap(normalize_nib, "nib")), _widget("digits")]
MobilePhone = Annotated[str, AfterValidator(_wrap(normalize_phone, "mobile_phone")), _widget("tel")]
Email = Annotated[str, AfterValidator(_wrap(normalize_email, "email")), _widget("email")]
Npwp = Annotated[str, AfterValidator(_wrap(normalize_npwp, "npwp")), _widget("digits")]
