import pytest
from pydantic import BaseModel, ValidationError

from core.identifiers import (
    MSG_EMAIL,
    MSG_NIB,
    MSG_NIK,
    MSG_NIK_DATE,
    MSG_NIK_REGION,
    MSG_NPWP,
    MSG_PHONE,
    Email,
    IdentifierError,
    MobilePhone,
    Nib,
    Nik,
    Npwp,
    format_phone_local,
    normalize_email,
    normalize_nib,
    normalize_nik,
    normalize_npwp,
    normalize_phone,
)

# 31 = DKI Jakarta, 71 = Jakarta Selatan, 01 = kecamatan, 17-08-45, serial 0001.
VALID_NIK = "3171011708450001"
FEMALE_NIK = "3171015708450001"  # day 17 + 40


# --- NIK -------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    [VALID_NIK, "3171 0117 0845 0001", "31.71.01.170845.0001", "317101-170845-0001", f" {VALID_NIK} "],
)
def test_nik_valid_and_separators_stripped(raw):
    assert normalize_nik(raw) == VALID_NIK


def test_nik_female_day_plus_40():
    assert normalize_nik(FEMALE_NIK) == FEMALE_NIK
    assert normalize_nik("3273017101000002") == "3273017101000002"  # day 71 = 31 Jan, Kota Bandung


@pytest.mark.parametrize(
    "raw",
    ["", "317101170845000", "31710117084500012", "31710117O8450001", "abcdefghijklmnop", "٣١٧١٠١١٧٠٨٤٥٠٠٠١"],
)
def test_nik_wrong_shape(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_nik(raw)
    assert str(exc.value) == MSG_NIK


@pytest.mark.parametrize(
    "raw",
    [
        "3171013002001234",  # 30 February
        "3171010013450001",  # day 00, month 13
        "3171013508450001",  # day 35
        "3171017508450001",  # female day 75 -> 35
        "3171017102000001",  # female day 71 -> 31 February
        "3171018108450001",  # day 81: stdnum alone would accept (81 % 40 = 1)
    ],
)
def test_nik_bad_birth_date(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_nik(raw)
    assert str(exc.value) == MSG_NIK_DATE


def test_nik_unknown_province():
    with pytest.raises(IdentifierError) as exc:
        normalize_nik("9971011708450001")
    assert str(exc.value) == MSG_NIK_REGION


def test_identifier_error_is_value_error():
    assert issubclass(IdentifierError, ValueError)


# --- NIB -------------------------------------------------------------------

def test_nib_ok():
    assert normalize_nib("1234567890123") == "1234567890123"
    assert normalize_nib(" 1234 5678 90123 ") == "1234567890123"


@pytest.mark.parametrize("raw", ["123456789012", "12345678901234", "12345678901AB", "1234-5678-90123", ""])
def test_nib_invalid(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_nib(raw)
    assert str(exc.value) == MSG_NIB


# --- Phone -----------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "+6281234567890",
        "6281234567890",
        "81234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "+62 812-3456-7890",
        "+62 (812) 3456 7890",
        "+62 0812 3456 7890",
        "0062 812 3456 7890",
    ],
)
def test_phone_variants_normalise_to_same_value(raw):
    assert normalize_phone(raw) == "6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0812345678", "62812345678"), ("0812345678901", "62812345678901")],  # 08+8 / 08+11 digits
)
def test_phone_length_bounds_ok(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "021-5551234",  # Jakarta landline
        "(021) 555 1234",
        "+62 21 5551234",
        "0221234567",  # Bandung landline
        "+1 415 555 0123",  # foreign
        "+14155550123",
        "081234567",  # 08 + 7 digits: too short
        "08123456789012",  # 08 + 12 digits: too long
        "0812345678a",
        "",
        "+",
    ],
)
def test_phone_refused(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_phone(raw)
    assert str(exc.value) == MSG_PHONE


def test_format_phone_local():
    assert format_phone_local("628123456789") == "0812-3456-789"
    assert format_phone_local("6281234567890") == "0812-3456-7890"
    assert format_phone_local("+62 812 3456 789") == "0812-3456-789"
    with pytest.raises(IdentifierError):
        format_phone_local("0215551234")


# --- E-mail ----------------------------------------------------------------

def test_email_ok():
    assert normalize_email("budi@umkm.co.id") == "budi@umkm.co.id"
    assert normalize_email("  siti.rahma+toko@gmail.com ") == "siti.rahma+toko@gmail.com"


def test_email_uppercase_lowered():
    assert normalize_email("Budi.Santoso@UMKM.GO.ID") == "budi.santoso@umkm.go.id"


@pytest.mark.parametrize("raw", ["", "budi", "budi@", "@umkm.co.id", "budi@@umkm.co.id", "budi@umkm", "budi santoso@umkm.co.id"])
def test_email_bad(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_email(raw)
    assert str(exc.value) == MSG_EMAIL


# --- NPWP ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01.312.166.0-091.000", "013121660091000"),  # old 15-digit format
        ("0013121660091000", "0013121660091000"),  # new 16-digit format
        (VALID_NIK, VALID_NIK),  # NIK doubles as NPWP
    ],
)
def test_npwp_ok(raw, expected):
    assert normalize_npwp(raw) == expected


@pytest.mark.parametrize("raw", ["01.312.166.1-091.000", "123456789", "9971011708450001", "0131216600910AB"])
def test_npwp_invalid(raw):
    with pytest.raises(IdentifierError) as exc:
        normalize_npwp(raw)
    assert str(exc.value) == MSG_NPWP


# --- pydantic annotated types ----------------------------------------------

class UmkmForm(BaseModel):
    nik: Nik
    nib: Nib
    hp: MobilePhone
    email: Email
    npwp: Npwp | None = None


VALID_FORM = {
    "nik": "3171 0117 0845 0001",
    "nib": "1234567890123",
    "hp": "0812-3456-7890",
    "email": "Budi@UMKM.co.id",
}


def test_model_normalises_fields():
    form = UmkmForm(**VALID_FORM, npwp="01.312.166.0-091.000")
    assert form.nik == VALID_NIK
    assert form.nib == "1234567890123"
    assert form.hp == "6281234567890"
    assert form.email == "budi@umkm.co.id"
    assert form.npwp == "013121660091000"


@pytest.mark.parametrize(
    ("field", "bad", "kind", "msg"),
    [
        ("nik", "12345", "nik", MSG_NIK),
        ("nik", "3171013002001234", "nik", MSG_NIK_DATE),
        ("nib", "123456789012", "nib", MSG_NIB),
        ("hp", "021-5551234", "mobile_phone", MSG_PHONE),
        ("email", "bukan-email", "email", MSG_EMAIL),
        ("npwp", "123", "npwp", MSG_NPWP),
    ],
)
def test_model_error_message_is_indonesian_verbatim(field, bad, kind, msg):
    with pytest.raises(ValidationError) as exc:
        UmkmForm(**{**VALID_FORM, field: bad})
    errors = exc.value.errors()
    assert len(errors) == 1
    assert errors[0]["msg"] == msg
    assert errors[0]["loc"] == (field,)
    assert errors[0]["type"] == kind
