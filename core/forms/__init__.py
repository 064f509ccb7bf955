"""Input forms: pydantic models per SOP, and pydantic errors turned into Indonesian field messages."""

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

# Messages for pydantic's built-in error types; our own validators already speak Indonesian.
MESSAGES = {
    "missing": "Wajib diisi",
    "string_too_short": "Wajib diisi",
    "string_too_long": "Terlalu panjang (maksimal {max_length} karakter)",
    "string_type": "Harus berupa teks",
    "bool_type": "Harus ya atau tidak (true/false)",
    "bool_parsing": "Harus ya atau tidak (true/false)",
    "int_type": "Harus bilangan bulat",
    "int_parsing": "Harus bilangan bulat",
    "int_from_float": "Harus bilangan bulat",
    "greater_than": "Harus lebih besar dari {gt}",
    "greater_than_equal": "Minimal {ge}",
    "less_than_equal": "Maksimal {le}",
    "literal_error": "Pilihan tidak dikenal; pilihan: {expected}",
    "enum": "Pilihan tidak dikenal; pilihan: {expected}",
    "extra_forbidden": "Kolom tidak dikenal",
    "date_from_datetime_parsing": "Tanggal tidak valid (format YYYY-MM-DD)",
    "date_parsing": "Tanggal tidak valid (format YYYY-MM-DD)",
    "date_type": "Tanggal tidak valid (format YYYY-MM-DD)",
    "model_type": "Harus berupa objek",
    "dict_type": "Harus berupa objek",
    "list_type": "Harus berupa daftar",
    "json_invalid": "JSON tidak valid",
}


class Form(BaseModel):
    """Base of every input form: strips text, refuses unknown fields."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        """Rules across fields, on the raw input, so that they are reported together with
        the field errors in one answer: [(field, Indonesian message)]."""
        return []


def indonesian(error: dict[str, Any]) -> str:
    template = MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def field_errors(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> list[dict[str, Any]]:
    """One entry per bad field: {"loc": [...], "msg": Indonesian, "type": ...} (FastAPI's 422 shape)."""
    return [
        {"loc": [*prefix, *(str(p) for p in e["loc"])], "msg": indonesian(e), "type": e["type"]}
        for e in exc.errors(include_url=False)
    ]


def check(form: type[Form], data: Any, prefix: tuple[str, ...] = ("body",)) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(normalised data, []) or ({}, one error per bad field)."""
    if not isinstance(data, dict):
        return {}, [{"loc": list(prefix), "msg": MESSAGES["dict_type"], "type": "dict_type"}]
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
    return (clean, []) if not errors else ({}, errors)
