"""Form fields on the pages, derived from the SOPs' own forms, and how case data is shown.

A field's label is its `Field(title=...)`, its hint the `description`, its widget and choices come from
its type (bool: checkbox, Literal or `choice(...)`: select, a list of choices: checkboxes, int: number,
date: date, Nik/Nib: digits, MobilePhone: tel, Email: email) or `json_schema_extra` (`widget`,
`choices`, `initial`). A step's form is the union of its actions' forms. The forms still validate
everything; these specs only say how to draw the inputs.
Field names `csrf`, `step`, `action` and `reason` are reserved by the decision form.
"""

import types
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo
from starlette.datastructures import FormData

from activities.notify import rupiah
from api.errors import ApiError
from core.forms import Form
from core.identifiers import IdentifierError, format_phone_local
from workflows import INTAKES, REGISTRY, SOPS

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


@lru_cache
def fields_of(form: type[Form]) -> tuple[FormField, ...]:
    """The form's fields as the pages draw them, in the form's order."""
    return tuple(_field(name, info) for name, info in form.model_fields.items())


def _field(name: str, info: FieldInfo) -> FormField:
    annotation = _without_none(info.annotation)
    own = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    extra = {**_inner_extra(annotation), **own}
    base = _bare(annotation)
    kind = str(extra.get("widget") or _kind(base))
    labels = extra.get("choices")
    values = get_args(_bare(get_args(base)[0])) if get_origin(base) is list else get_args(base)
    choices = tuple(labels.items()) if isinstance(labels, dict) else tuple((str(v), str(v)) for v in values)
    return FormField(name, info.title or name.replace("_", " ").capitalize(), kind,
                     choices=choices if kind in ("select", "checks") else (), hint=info.description or "",
                     default=str(extra.get("initial", "")))


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):  # Optional[X] -> X
        return next(a for a in get_args(annotation) if a is not type(None))
    return annotation


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _inner_extra(annotation: Any) -> dict[str, Any]:
    """json_schema_extra in nested Annotated metadata (Optional[Nik], list[choice(...)])."""
    found: dict[str, Any] = {}
    if get_origin(annotation) is Annotated:
        found.update(_inner_extra(get_args(annotation)[0]))
        for meta in annotation.__metadata__:
            if isinstance(meta, FieldInfo) and isinstance(meta.json_schema_extra, dict):
                found.update(meta.json_schema_extra)
    elif get_origin(annotation) is list:
        found.update(_inner_extra(get_args(annotation)[0]))
    return found


def _kind(annotation: Any) -> str:
    if annotation is bool:
        return "checkbox"
    if get_origin(annotation) is list:
        return "checks"
    if get_origin(annotation) is Literal:
        return "select"
    if annotation in (int, float):
        return "number"
    if annotation is date:
        return "date"
    return "text"


def start_fields(sop: str) -> tuple[FormField, ...]:
    """The start form of an SOP that takes applications; 404 for any other."""
    if sop not in INTAKES:
        raise ApiError(404, "Layanan tidak ditemukan")
    return fields_of(SOPS[sop].start_form)  # type: ignore[arg-type]


def step_fields(sop: str, step: str) -> tuple[FormField, ...]:
    """What a step's decision form asks: the fields of its actions' forms, the first of a name kept;
    () for a step decided on a page of its own, or without form data."""
    definition = SOPS[sop].step(step)
    if definition.page is not None:
        return ()
    return _first_of_each_name(f for a in definition.actions if a.form for f in fields_of(a.form))


def data_fields(sop: str) -> tuple[FormField, ...]:
    """The fields that label and order a case's data: the start form's, then its steps' forms' (the
    e-order profile, say), the first of a name kept."""
    definition = SOPS[sop]
    forms = [definition.start_form] + [a.form for s in definition.steps for a in s.actions]
    return _first_of_each_name(f for form in forms if form for f in fields_of(form))


def part_fields(sop: str) -> dict[str, FormField]:
    """The fields of the forms nested in the SOP's forms (an order's items and shipping address), by
    name: they label and draw the entries of a record in the case data."""
    definition = SOPS[sop]
    forms = [definition.start_form] + [a.form for s in definition.steps for a in s.actions]
    nested = [inner for form in forms if form for info in form.model_fields.values()
              if (inner := _nested_form(info.annotation)) is not None]
    return {f.name: f for f in _first_of_each_name(f for form in nested for f in fields_of(form))}


def _nested_form(annotation: Any) -> type[Form] | None:
    base = _bare(_without_none(annotation))
    if get_origin(base) is list:
        base = _bare(get_args(base)[0])
    return base if isinstance(base, type) and issubclass(base, Form) else None


def _first_of_each_name(fields: Iterable[FormField]) -> tuple[FormField, ...]:
    first: dict[str, FormField] = {}
    for field in fields:
        first.setdefault(field.name, field)
    return tuple(first.values())


def _modules_for(sop: str) -> list[Any]:
    """The SOP's own module first, then the others (a linked case shows its parent's data)."""
    own = REGISTRY.get(sop)
    return ([own] if own else []) + [m for m in REGISTRY if m is not own]


def data_label(sop: str, key: str) -> str:
    """A label for case data no form names."""
    return next((m.data_labels[key] for m in _modules_for(sop) if key in m.data_labels),
                key.replace("_", " ").capitalize())


def value_label(sop: str, key: str, value: Any) -> str | None:
    """An id the workflow wrote, by its Indonesian name (by the key it stands under)."""
    return next((m.value_labels[key].get(str(value), str(value)) for m in _modules_for(sop) if key in m.value_labels),
                None)


# Case data in whole rupiah, shown as "Rp 15.000".
MONEY = {"price", "subtotal", "shipping_fee", "total", "line_total"}
# Case data not shown: internal ids, what another key shows already, and the rules behind a deadline
# the case page shows as a date (an order's delivery and receipt days).
HIDDEN_DATA = {"product_id", "facilitation_title", "reservation", "delivery_days", "receipt_days"}
# A record with only these keys is a person the workflow recorded: shown by the name.
PERSON_KEYS = {"id", "name", "role", "agency", "email"}

# An applicant's account fills these fields of an empty start form.
ACCOUNT_PREFILL = {"owner_name": "name", "email": "email", "phone": "phone"}


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


def is_person(value: Any) -> bool:
    return isinstance(value, dict) and "name" in value and set(value) <= PERSON_KEYS


def is_named_record(value: Any) -> bool:
    """A record with a name and more, e.g. an order's item: its name, price, quantity."""
    return isinstance(value, dict) and "name" in value and not set(value) <= PERSON_KEYS


def part_label(sop: str, key: str) -> str:
    """The label of an entry of a record: its nested form's title, else the SOP's data label."""
    field = part_fields(sop).get(key) if sop in SOPS else None
    return field.label if field else data_label(sop, key)


def display(field: FormField | None, value: Any, key: str = "", sop: str = "") -> str:
    """A value of the case data as text; `key` names it when no field does (for the value labels)."""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if is_person(value):  # a person the workflow recorded
        return str(value["name"])
    if is_named_record(value):  # "Keripik Tempe · Harga: Rp 15.000 · Jumlah: 2 · Jumlah harga: Rp 30.000"
        parts = [f"{part_label(sop, k)}: {display(_part(sop, k), v, k, sop)}"
                 for k, v in _in_order(sop, value) if k != "name" and shown(k, v)]
        return " · ".join([str(value["name"]), *parts])
    if isinstance(value, dict):  # a record: its values, e.g. a referral "Fasilitasi Sertifikasi Halal · referral-…"
        return " · ".join(display(None, v, k, sop) for k, v in value.items() if shown(k, v))
    if isinstance(value, list):
        return ", ".join(display(field, item, key, sop) for item in value)
    if field is not None and field.choices:
        return dict(field.choices).get(str(value), str(value))
    if field is not None and field.kind == "tel":
        try:
            return format_phone_local(str(value))
        except IdentifierError:
            return str(value)
    if field is not None and field.kind == "date" and isinstance(value, str) and len(value) == 10:
        return "-".join(reversed(value.split("-")))  # 2027-11-26 -> 26-11-2027, as the catalogue shows it
    if key and (named := value_label(sop, key, value)) is not None:
        return named
    if (field.name if field else key) in MONEY and isinstance(value, int):
        return rupiah(value)
    return "" if value is None else str(value)


def _part(sop: str, key: str) -> FormField | None:
    return part_fields(sop).get(key) if sop in SOPS else None


def _in_order(sop: str, record: dict[str, Any]) -> list[tuple[str, Any]]:
    """A record's entries in the order the SOP writes its labels (its data labels, then its nested forms'
    fields), the rest after them: the database does not keep a JSON object's order."""
    module = REGISTRY.get(sop)
    known = list(module.data_labels) if module else []
    known += list(part_fields(sop)) if sop in SOPS else []
    rank = {key: n for n, key in reversed(list(enumerate(known)))}
    return sorted(record.items(), key=lambda item: rank.get(item[0], len(rank)))


def shown(key: str, value: Any) -> bool:
    return key not in HIDDEN_DATA and value not in (None, "", [])


def data_rows(sop: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The case data as (label, value) rows: the SOP's form fields in order, then anything else. A record
    (a dict that is not a person) as a row per entry, "Pengiriman – Nama penerima"; a list of named
    records (an order's items) as a row per record, "Barang 1", "Barang 2"."""
    fields = data_fields(sop)
    by_name = {f.name: f for f in fields}
    rows = []
    for f in fields:
        if data.get(f.name) not in (None, ""):
            rows += _rows(sop, f.label, f, f.name, data[f.name])
    for key, value in _in_order(sop, data):
        if key not in by_name and shown(key, value):
            rows += _rows(sop, data_label(sop, key), None, key, value)
    return rows


def _rows(sop: str, label: str, field: FormField | None, key: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict) and "name" not in value:
        return [(f"{label} – {part_label(sop, k)}", display(_part(sop, k), v, k, sop))
                for k, v in _in_order(sop, value) if shown(k, v)]
    if isinstance(value, list) and value and all(is_named_record(v) for v in value):
        return [(f"{label} {n}" if len(value) > 1 else label, display(None, v, key, sop))
                for n, v in enumerate(value, 1)]
    return [(label, display(field, value, key, sop))]
