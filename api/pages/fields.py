"""Form fields on the pages, per SOP: what an applicant fills in, and how the case data is shown.

An SOP adds its start form to FORM_FIELDS and, when a step takes form data (a revision, an edit),
an entry in STEP_FORMS; a step decided on a page of its own goes in STEP_PAGES instead, and the case
page links there. The SOP's own Form class still validates everything; these specs only say how to
draw the inputs. Without an entry, a plain form is derived from the intake's Form class.
Field names `csrf`, `step`, `action` and `reason` are reserved by the decision form.
"""

import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from starlette.datastructures import FormData

from activities.notify import rupiah
from api.intakes import INTAKES
from api.service import ApiError
from core.forms import Form, field_labels
from core.forms.eorder import CATEGORIES as EORDER_CATEGORIES, VendorProfile
from core.forms.gallery import DOCUMENT_KINDS, FACILITATIONS
from core.forms.jathil import CATEGORIES
from core.identifiers import IdentifierError, format_phone_local
from workflows import SOPS

# "checks": one checkbox per choice, the value a list of the chosen ones.
KINDS = ("text", "email", "tel", "digits", "number", "date", "password", "textarea", "select", "checkbox", "checks")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str  # Indonesian
    kind: str = "text"  # one of KINDS
    choices: tuple[tuple[str, str], ...] = ()  # (value, Indonesian label) for "select" and "checks"
    hint: str = ""
    default: str = ""  # initial value of an empty form


JATHIL_VENDOR_FIELDS = (
    FormField("business_name", "Nama usaha"),
    FormField("owner_name", "Nama pemilik"),
    FormField("nik", "NIK", "digits", hint="16 digit sesuai KTP"),
    FormField("address", "Alamat", "textarea"),
    FormField("regency", "Kabupaten/Kota", hint="Hanya untuk IKM/UMKM Kabupaten Ponorogo",
              default="Kabupaten Ponorogo"),
    FormField("phone", "Nomor HP", "tel", hint="Nomor aktif, contoh 081234567890"),
    FormField("email", "E-mail", "email", hint="E-mail aktif"),
    FormField("category", "Kategori", "select", choices=tuple(CATEGORIES.items())),
    FormField("nib", "NIB", "digits", hint="13 digit. Isi minimal salah satu: NIB, IUMK atau SIUP"),
    FormField("iumk", "IUMK", hint="Opsional bila NIB atau SIUP diisi"),
    FormField("siup", "SIUP", hint="Opsional bila NIB atau IUMK diisi"),
    FormField("pirt", "P-IRT", hint="Wajib untuk usaha makanan dan minuman"),
    FormField("not_repacker", "Bukan re-packer produk pihak lain", "checkbox"),
    FormField("not_reseller", "Bukan reseller", "checkbox"),
)

EORDER_VENDOR_FIELDS = (
    FormField("skpd", "Kode SKPD Pembina", "digits", hint="Contoh 141732 (Badan Pelayanan Pengadaan Barang/Jasa)",
              default="141732"),
    FormField("pkt", "Peserta program PKT", "checkbox"),
)
EORDER_PROFILE_FIELDS = (
    FormField("business_name", "Nama usaha"),
    FormField("owner_name", "Nama pemilik"),
    FormField("nik", "NIK pemilik", "digits", hint="16 digit sesuai KTP"),
    FormField("phone", "No. handphone", "tel", hint="Nomor aktif, contoh 081234567890"),
    FormField("email", "Alamat e-mail", "email"),
    FormField("address", "Alamat usaha", "textarea"),
    FormField("category", "Kategori usaha", "select", choices=tuple(EORDER_CATEGORIES.items())),
    FormField("nib", "NIB (izin usaha)", "digits", hint="13 digit dari OSS"),
    FormField("pkp", "Pengusaha Kena Pajak (PKP)", "checkbox"),
    FormField("bank_name", "Nama bank"),
    FormField("bank_account", "Nomor rekening", "digits"),
)
EORDER_PRODUCT_FIELDS = (
    FormField("name", "Nama produk"),
    FormField("description", "Deskripsi", "textarea"),
    FormField("category", "Kategori", "select", choices=tuple(EORDER_CATEGORIES.items())),
    FormField("unit", "Satuan", hint="Contoh: kotak, pcs, kg"),
    FormField("price", "Harga (Rp)", "number", hint="Rupiah, bilangan bulat"),
    FormField("min_order", "Pemesanan minimum", "number", default="1"),
    FormField("tkdn", "TKDN (%)", "number", hint="Opsional: tingkat komponen dalam negeri"),
)

GALLERY_FIELDS = (
    FormField("business_name", "Nama usaha"),
    FormField("product_name", "Nama produk"),
    FormField("category", "Kategori", "select", choices=tuple(CATEGORIES.items())),
    FormField("price", "Harga jual (Rp)", "number", hint="Rupiah, bilangan bulat"),
    FormField("expiry_date", "Tanggal kedaluwarsa", "date", hint="Wajib untuk makanan dan minuman"),
    FormField("specification", "Spesifikasi produk", "textarea", hint="Komposisi, berat/isi, kemasan, dan lain-lain"),
)
_SCORE = tuple((str(n), str(n)) for n in range(1, 6))
_DOCUMENTS = tuple((k.id, k.label) for k in DOCUMENT_KINDS)
GALLERY_CURATION_FIELDS = (
    *(FormField(name, label, "select", choices=_SCORE, hint="1 (kurang) sampai 5 (sangat baik)")
      for name, label in (("packaging", "Kemasan"), ("label", "Kelengkapan label"), ("taste_quality", "Rasa/kualitas"),
                          ("price_competitiveness", "Daya saing harga"), ("legality", "Legalitas"))),
    FormField("recommendation", "Rekomendasi", "select", choices=(("pass", "Lolos"), ("fail", "Tidak lolos"))),
    FormField("notes", "Catatan", "textarea", hint="Wajib bila tidak lolos: alasan untuk pemohon"),
    FormField("missing_documents", "Berkas yang belum memenuhi", "checks", choices=_DOCUMENTS),
)

# The applicant's start form, per SOP.
FORM_FIELDS: dict[str, tuple[FormField, ...]] = {
    "jathil-vendor": JATHIL_VENDOR_FIELDS,
    "eorder-vendor": EORDER_VENDOR_FIELDS,
    "eorder-product": EORDER_PRODUCT_FIELDS,
    "gallery-curation": GALLERY_FIELDS,
}

# Steps whose decision sends form data (`data`), pre-filled with the case data: (sop, step) -> fields.
STEP_FORMS: dict[tuple[str, str], tuple[FormField, ...]] = {
    ("jathil-vendor", "revise"): JATHIL_VENDOR_FIELDS,
    ("eorder-vendor", "fill_profile"): EORDER_PROFILE_FIELDS,
    ("eorder-product", "draft"): EORDER_PRODUCT_FIELDS,
    ("gallery-curation", "check_documents"): (FormField("missing", "Dokumen yang harus diunggah ulang", "checks",
                                                        choices=_DOCUMENTS, hint="Hanya untuk pengembalian"),),
    ("gallery-curation", "receive_sample"): (FormField("description", "Keterangan sampel", "textarea"),
                                             FormField("quantity", "Jumlah sampel", "number", default="1")),
    ("gallery-curation", "curate_staff"): GALLERY_CURATION_FIELDS,
    ("gallery-curation", "curate_expert"): GALLERY_CURATION_FIELDS,
    ("gallery-curation", "refer"): (
        FormField("facilitations", "Fasilitasi yang dibutuhkan", "checks", choices=tuple(FACILITATIONS.items()),
                  hint="Setiap fasilitasi menjadi rujukan ke bidang penerimanya"),
        FormField("note", "Catatan untuk bidang penerima", "textarea"),
    ),
    ("gallery-curation", "display"): (FormField("sku", "SKU", hint="Huruf, angka atau tanda hubung; 13 digit EAN-13 "
                                                                   "dicetak sebagai EAN-13"),
                                      FormField("stock", "Jumlah stok", "number"),
                                      FormField("price", "Harga jual (Rp)", "number")),
}

# Steps decided on a page of their own, (sop, step) -> (address with {case_id}, link text): the case
# page links there instead of drawing a decision form, so each step has one place to decide it.
_CHECK_PAGE = ("/eorder/periksa/{case_id}", "Buka halaman pemeriksaan")
STEP_PAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("eorder-vendor", "assign_pjlp"): ("/eorder/registrasi/{case_id}/pjlp", "Buka halaman penunjukan PJLP"),
    ("eorder-vendor", "pjlp_check"): _CHECK_PAGE,
    ("eorder-product", "pjlp_verify"): _CHECK_PAGE,
}

# Labels for case data that no form field names (written by the workflow), also inside its records.
DATA_LABELS = {
    "may_sell": "Boleh berjualan", **field_labels(VendorProfile), "skpd_name": "Nama SKPD Pembina",
    "pjlp": "Admin/PJLP pendamping", "supplier": "Penyedia", "vendor_case": "Kasus pendaftaran penyedia",
    # gallery-curation and the referrals it opens
    "product_name": "Nama produk", "sample": "Sampel", "description": "Keterangan", "quantity": "Jumlah",
    "curation": "Hasil kurasi", "result": "Hasil", "reasons": "Alasan",
    "missing_documents": "Berkas yang belum memenuhi",
    "display": "Display galeri", "sku": "SKU", "stock": "Stok", "price": "Harga jual (Rp)",
    "barcode_type": "Jenis barcode", "referrals": "Rujukan fasilitasi", "facilitation": "Fasilitasi",
    "note": "Catatan", "closing_note": "Catatan penutupan",
}
# Ids the workflow writes, shown by their Indonesian names (by the key they stand under).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "result": {"pass": "Lolos", "fail": "Tidak lolos"}, "missing_documents": dict(_DOCUMENTS),
    "facilitation": FACILITATIONS, "barcode_type": {"ean13": "EAN-13", "code128": "Code 128"},
    "category": {**CATEGORIES, **EORDER_CATEGORIES},
}
# Case data in whole rupiah, shown as "Rp 15.000".
MONEY = {"price"}
# Case data not shown: internal ids, and what another key shows already.
HIDDEN_DATA = {"product_id", "facilitation_title"}

# An applicant's account fills these fields of an empty start form.
ACCOUNT_PREFILL = {"owner_name": "name", "email": "email", "phone": "phone"}


def start_fields(sop: str) -> tuple[FormField, ...]:
    """The start form of an SOP that takes applications; 404 for any other."""
    if sop not in INTAKES or sop not in SOPS:
        raise ApiError(404, "Layanan tidak ditemukan")
    return sop_fields(sop)


def sop_fields(sop: str) -> tuple[FormField, ...]:
    """The SOP's form fields (also the labels of its case data); () when it has no start form."""
    intake = INTAKES.get(sop)
    return FORM_FIELDS.get(sop) or (derived_fields(intake.form) if intake else ())


def data_fields(sop: str) -> tuple[FormField, ...]:
    """The fields that label and order a case's data: the start form's, then its steps' forms' (the
    e-order profile, say), the first of a name kept."""
    first: dict[str, FormField] = {}
    for field in (*sop_fields(sop), *(f for (owner, _), specs in STEP_FORMS.items() if owner == sop for f in specs)):
        first.setdefault(field.name, field)
    return tuple(first.values())


def derived_fields(form: type[Form]) -> tuple[FormField, ...]:
    """A plain form from a pydantic Form class: checkbox for bool, select for Literal, text otherwise."""
    return tuple(_derived(name, info.annotation) for name, info in form.model_fields.items())


def _derived(name: str, annotation: Any) -> FormField:
    if get_origin(annotation) in (Union, types.UnionType):  # Optional[X] -> X
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    label = name.replace("_", " ").capitalize()
    if annotation is bool:
        return FormField(name, label, "checkbox")
    if get_origin(annotation) is Literal:
        return FormField(name, label, "select", choices=tuple((str(v), str(v)) for v in get_args(annotation)))
    return FormField(name, label)


def read_values(fields: tuple[FormField, ...], form: FormData) -> dict[str, Any]:
    """What the user typed, to show again: text as typed, a checkbox as bool, checks as the list chosen."""
    values: dict[str, Any] = {}
    for field in fields:
        if field.kind == "checks":
            values[field.name] = [str(v) for v in form.getlist(field.name)]
            continue
        raw = form.get(field.name)
        values[field.name] = raw is not None if field.kind == "checkbox" else str(raw or "").strip()
    return values


def submitted(values: dict[str, Any]) -> dict[str, Any]:
    """The body for the SOP's Form: an empty text or choice is left out, so it reads as missing (or its
    default)."""
    return {name: value for name, value in values.items() if value not in ("", [])}


def field_messages(detail: Any, names: set[str]) -> tuple[dict[str, str], list[str]]:
    """An ApiError detail split into ({field: message}, [messages for no known field])."""
    if not isinstance(detail, list):
        return {}, [str(detail)]
    by_field: dict[str, str] = {}
    general: list[str] = []
    for item in detail:
        loc = [str(p) for p in item.get("loc", [])] if isinstance(item, dict) else []
        message = str(item.get("msg", item)) if isinstance(item, dict) else str(item)
        path = loc[1:] if loc[:1] == ["body"] else loc
        path = path[1:] if path[:1] == ["data"] else path
        if path and path[0] in names:
            by_field.setdefault(path[0], message)
        else:
            general.append(message)
    return by_field, general


def display(field: FormField | None, value: Any, key: str = "") -> str:
    """A value of the case data as text; `key` names it when no field does (for VALUE_LABELS)."""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, dict) and "name" in value:  # a person the workflow recorded
        return str(value["name"])
    if isinstance(value, dict):  # a record: its values, e.g. a referral "Fasilitasi Sertifikasi Halal · referral-…"
        return " · ".join(display(None, v, k) for k, v in value.items() if shown(k, v))
    if isinstance(value, list):
        return ", ".join(display(field, item, key) for item in value)
    if field is not None and field.choices:
        return dict(field.choices).get(str(value), str(value))
    if field is not None and field.kind == "tel":
        try:
            return format_phone_local(str(value))
        except IdentifierError:
            return str(value)
    if field is not None and field.kind == "date" and isinstance(value, str) and len(value) == 10:
        return "-".join(reversed(value.split("-")))  # 2027-11-26 -> 26-11-2027, as the catalogue shows it
    if key in VALUE_LABELS:
        return VALUE_LABELS[key].get(str(value), str(value))
    if (field.name if field else key) in MONEY and isinstance(value, int):
        return rupiah(value)
    return "" if value is None else str(value)


def data_label(key: str) -> str:
    return DATA_LABELS.get(key, key.replace("_", " ").capitalize())


def shown(key: str, value: Any) -> bool:
    return key not in HIDDEN_DATA and value not in (None, "", [])


def data_rows(fields: tuple[FormField, ...], data: dict[str, Any]) -> list[tuple[str, str]]:
    """The case data as (label, value) rows: the form's fields in order, then anything else; a record the
    workflow wrote (a dict) as a row per entry, "Sampel – Jumlah"."""
    by_name = {f.name: f for f in fields}
    rows = [(f.label, display(f, data[f.name])) for f in fields if data.get(f.name) not in (None, "")]
    for key, value in data.items():
        if key in by_name or not shown(key, value):
            continue
        if isinstance(value, dict) and "name" not in value:
            rows += [(f"{data_label(key)} – {data_label(k)}", display(None, v, k)) for k, v in value.items()
                     if shown(k, v)]
        else:
            rows.append((data_label(key), display(None, value, key)))
    return rows
