"""Uploads through the API: multipart reading within the size limit, the checks of core.documents,
storage, and their Indonesian 422 errors. Nothing is written before every file has passed."""

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from api.errors import ApiError
from core.config import Settings
from core.documents import Checked, DocumentRejected, check_upload, discard, store, too_large_message
from core.forms import MESSAGES
from core.messages import DocumentUpload, Person
from core.models import utcnow
from workflows.sop import SopDefinition

MULTIPART_SLACK = 64 * 1024  # the form fields and part headers around the files
MAX_START_FILES = 20


@dataclass(frozen=True)
class Incoming:
    kind: str
    filename: str  # the client's, never a path
    content: bytes  # at most max_upload_bytes + 1: enough to tell "too large"
    loc: tuple[str, ...]  # where an error about this file points


def error(loc: tuple[str, ...], message: str, kind: str = "document") -> dict[str, Any]:
    return {"loc": list(loc), "msg": message, "type": kind}


def refuse_oversized(request: Request, settings: Settings, files: int) -> None:
    """Refuses from the declared length alone, before any byte of the body is read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.max_upload_bytes * files + MULTIPART_SLACK:
        raise ApiError(422, [error(("body", "file"), too_large_message(settings.max_upload_bytes))])


async def incoming(upload: UploadFile, kind: str, loc: tuple[str, ...], settings: Settings) -> Incoming:
    content = await upload.read(settings.max_upload_bytes + 1)
    return Incoming(kind=kind, filename=upload.filename or "", content=content, loc=loc)


async def start_body(request: Request, settings: Settings) -> tuple[Any, list[Incoming]]:
    """A case start is JSON, or multipart with the form as JSON in `data` and one file part per
    document, named by its kind (a kind may repeat)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return parse_json(await request.body()), []
    refuse_oversized(request, settings, MAX_START_FILES)
    async with request.form(max_files=MAX_START_FILES, max_fields=20) as form:
        raw = form.get("data")
        body = parse_json(raw.encode() if isinstance(raw, str) else b"{}", ("body", "data"))
        files = [await incoming(value, name, ("body", name), settings)
                 for name, value in form.multi_items() if isinstance(value, UploadFile)]
    return body, files


async def single_upload(request: Request, settings: Settings) -> Incoming:
    """POST /cases/{id}/documents: multipart `kind` and `file`."""
    refuse_oversized(request, settings, 1)
    async with request.form(max_files=1, max_fields=5) as form:
        kind, file = form.get("kind"), form.get("file")
        missing = [error(("body", name), MESSAGES["missing"], "missing")
                   for name, ok in (("kind", isinstance(kind, str) and kind), ("file", isinstance(file, UploadFile)))
                   if not ok]
        if missing:
            raise ApiError(422, missing)
        return await incoming(file, str(kind), ("body", "file"), settings)  # type: ignore[arg-type]


def parse_json(raw: bytes, loc: tuple[str, ...] = ("body",)) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(422, [error(loc, MESSAGES["json_invalid"], "json_invalid")]) from None


def check_files(definition: SopDefinition, files: list[Incoming], settings: Settings,
                kind_loc: tuple[str, ...] | None = None) -> tuple[list[tuple[Incoming, Checked]], list[dict[str, Any]]]:
    """The files that pass, and one error per file that does not (unknown kind, type, size, name)."""
    accepted, errors = [], []
    for file in files:
        if definition.document_kind(file.kind) is None:
            choices = ", ".join(k.id for k in definition.documents) or "-"
            errors.append(error(kind_loc or file.loc, f"Jenis dokumen tidak dikenal; pilihan: {choices}"))
            continue
        try:
            accepted.append((file, check_upload(file.content, file.filename, settings.max_upload_bytes)))
        except DocumentRejected as rejected:
            errors.append(error(file.loc, str(rejected)))
    return accepted, errors


def missing_required(definition: SopDefinition, files: list[Incoming]) -> list[dict[str, Any]]:
    present = {f.kind for f in files}
    return [error(("body", k.id), f"Wajib diunggah: {k.label}", "missing")
            for k in definition.documents if k.required and k.id not in present]


def store_all(settings: Settings, accepted: list[tuple[Incoming, Checked]], uploader: Person) -> list[DocumentUpload]:
    """Writes the checked files; on a disk error removes what this call wrote."""
    uploads: list[DocumentUpload] = []
    try:
        for file, checked in accepted:
            stored = store(settings.upload_dir, file.content, checked.extension)
            uploads.append(DocumentUpload(
                kind=file.kind, filename=checked.filename, stored_name=stored.stored_name, sha256=stored.sha256,
                size=stored.size, content_type=checked.content_type, uploaded_by=uploader, uploaded_at=utcnow(),
            ))
    except OSError:
        discard_all(settings, uploads)
        raise
    return uploads


def discard_all(settings: Settings, uploads: list[DocumentUpload]) -> None:
    for upload in uploads:
        discard(settings.upload_dir, upload.stored_name)
