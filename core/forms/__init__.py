"""Input forms: pydantic models per SOP, and pydantic errors turned into Indonesian field messages."""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Messages for pydantic's built-in error types; our own validators already speak Indonesian.
MESSAGES = {
    "missing": "Wajib diisi",
    "string_too_short": "Wajib diisi",
    "string_too_long": "Terlalu panjang (maksimal {max_length} karakter)",
    "string_type": "Harus berupa teks",
    "string_pattern_mismatch": "Format tidak sesuai",
    "bool_type": "Harus ya atau tidak (true/false)",
    "bool_parsing": "Harus ya atau tidak (true/false)",
    "int_type": "Harus bilangan bulat",
    "int_parsing": "Harus bilangan bulat",
    "int_from_float": "Harus bilangan bulat",
    "float_type": "Harus berupa angka",
    "float_parsing": "Harus berupa angka",
    "greater_than": "Harus lebih besar dari {gt}",
    "greater_than_equal": "Minimal {ge}",
    "less_than_equal": "Maksimal {le}",
    "literal_error": "Pilihan tidak dikenal; pilihan: {expected}",
    "enum": "Pilihan tidak dikenal; pilihan: {expected}",
    "extra_forbidden": "Kolom tidak dikenal",
    "date_from_datetime_parsing": "Tanggal tidak valid (format YYYY-MM-DD)",
    "date_parsing": "Tanggal tidak valid (format YYYY-MM-DD)",
    "date_type": "Tanggal tidak valid (format YYYY-MM-DD)",
    "datetime_type": "Waktu tidak valid (format YYYY-MM-DDTHH:MM+07:00)",
    "datetime_parsing": "Waktu tidak valid (format YYYY-MM-DDTHH:MM+07:00)",
    "datetime_from_date_parsing": "Waktu tidak valid (format YYYY-MM-DDTHH:MM+07:00)",
    "datetime_object_invalid": "Waktu tidak valid (format YYYY-MM-DDTHH:MM+07:00)",
    "timezone_aware": "Sertakan zona waktu, contoh 2026-08-05T09:00+07:00 (WIB)",
    "timezone_naive": "Tulis waktu tanpa zona waktu",
    "datetime_past": "Harus waktu yang sudah lewat",
    "datetime_future": "Harus waktu yang akan datang",
    "model_type": "Harus berupa objek",
    "dict_type": "Harus berupa objek",
    "list_type": "Harus berupa daftar",
    "too_short": "Pilih minimal {min_length}",
    "json_invalid": "JSON tidak valid",
}


def widget(kind: str, **extra: Any) -> Any:
    """`Field(json_schema_extra=widget("textarea"))`-style hint for the pages: how to draw a field
    (text, textarea, number, date, digits...) and, with `initial=`, what an empty form shows."""
    return {"widget": kind, **extra}


def choice(labels: dict[str, str]) -> Any:
    """A field taking one of `labels`' keys; the pages show their Indonesian labels. The list is
    written once: the type and the labels come from the same dict."""
    return Annotated[Literal[tuple(labels)], Field(json_schema_extra={"choices": labels})]  # type: ignore[valid-type]


class Form(BaseModel):
    """Base of every input form: strips text, refuses unknown fields."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        """Rules across fields, on the raw input, so that they are reported together with
        the field errors in one answer: [(field, Indonesian message)]."""
        return []


def indonesian(error: dict[str, Any]) -> str:
    if error["type"] == "string_too_short" and (error.get("ctx") or {}).get("min_length", 1) > 1:
        return "Minimal {min_length} karakter".format(**error["ctx"])
    template = MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    # A float field's bound reads "100.0"; people write "100".
    ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in (error.get("ctx") or {}).items()}
    if isinstance(ctx.get("expected"), str):  # pydantic lists choices as "'a', 'b' or 'c'"
        ctx["expected"] = ctx["expected"].replace(" or ", " atau ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_errors(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> list[dict[str, Any]]:
    """One entry per bad field: {"loc": [...], "msg": Indonesian, "type": ...} (FastAPI's 422 shape)."""
    return [
        {"loc": [*prefix, *(str(p) for p in e["loc"])], "msg": indonesian(e), "type": e["type"]}
        for e in exc.errors(include_url=False)
    ]


@dataclass(frozen=True)
class Checked:
    """A form check's outcome: the normalised data, or ({} and) one error per bad field."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check(form: type[Form], data: Any, prefix: tuple[str, ...] = ("body",)) -> Checked:
    if not isinstance(data, dict):
        return Checked(errors=[{"loc": list(prefix), "msg": MESSAGES["dict_type"], "type": "dict_type"}])
    try:
        clean, errors = form.model_validate(data).model_dump(mode="json"), []
    except ValidationError as exc:
        clean, errors = {}, field_errors(exc, prefix)
    bad = {e["loc"][len(prefix)] for e in errors if len(e["loc"]) > len(prefix)}
    errors += [
        {"loc": [*prefix, name], "msg": message, "type": "admission"}
        for name, message in form.admission(data)
        if name not in bad
    ]
    return Checked(errors=errors) if errors else Checked(data=clean)


def check_draft(form: type[Form], draft: dict[str, Any], changes: Any, prefix: tuple[str, ...] = ("body",)) -> Checked:
    """A record saved part by part: the fields given must be valid, the others may still be missing;
    an empty value clears its field. The data is the new draft, normalised once complete."""
    if not isinstance(changes, dict):
        return check(form, changes, prefix)
    cleared = {name for name, value in changes.items() if value is None or value == ""}
    merged = {name: value for name, value in {**draft, **changes}.items() if name not in cleared}
    whole = check(form, merged, prefix)
    given = set(changes) - cleared
    errors = [e for e in whole.errors if len(e["loc"]) > len(prefix) and e["loc"][len(prefix)] in given]
    return Checked(errors=errors) if errors else Checked(data=whole.data or merged)


def field_labels(form: type[Form]) -> dict[str, str]:
    """Field name -> its Indonesian label (the field's `title`), for pages and change records."""
    return {name: info.title or name for name, info in form.model_fields.items()}


def form_values(form: type[Form], record: dict[str, Any], changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The form's own fields out of a larger record (e.g. case data), with `changes` laid over them."""
    return {**{name: record[name] for name in form.model_fields if name in record}, **(changes or {})}
