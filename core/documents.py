"""Uploaded documents: what an SOP accepts, checked from the content itself, stored under random names.

The client's file name is kept for display only and never becomes part of a path; the stored
name is ours (random hex + the extension of the detected type) and is checked again before use.
"""

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Magic bytes of the accepted types: the name and the client's content type are not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")
MAX_NAME = 200
MB = 1024 * 1024
MSG_TYPE = "Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG"
MSG_EMPTY = "Berkas kosong"
MSG_NAME = "Nama berkas tidak valid: gunakan nama tanpa folder atau karakter khusus"


class DocumentRejected(ValueError):
    """An upload that is refused; ``str()`` is the Indonesian message."""


@dataclass(frozen=True)
class DocumentKind:
    id: str
    label: str  # Indonesian
    required: bool = False  # must be uploaded when the case starts


# Documents the system writes itself (core.pdf, the engine's generate_document); their labels show
# wherever document kinds are labelled, even when an SOP does not accept them as uploads.
GENERATED_KINDS = (
    DocumentKind("lembar_disposisi", "Lembar Disposisi"),
    DocumentKind("surat_tugas", "Surat Tugas"),
    DocumentKind("laporan_hasil", "Laporan Hasil"),
    DocumentKind("undangan", "Undangan"),
)
GENERATED_LABELS = {k.id: k.label for k in GENERATED_KINDS}


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str
    filename: str  # the client's name, cleaned, for display only


def too_large_message(max_bytes: int) -> str:
    size = f"{max_bytes / MB:.3g} MB" if max_bytes >= MB else f"{max_bytes / 1024:.3g} KB"
    return f"Berkas terlalu besar (maksimal {size})"


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None for anything else."""
    return next(((kind, ext) for magic, kind, ext in SIGNATURES if content.startswith(magic)), None)


def display_name(filename: str) -> str:
    """The client's name as shown to people; refuses anything that looks like a path."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if (not name or len(name) > MAX_NAME or name in (".", "..") or "/" in name or "\\" in name
            or ".." in name or any(unicodedata.category(c)[0] == "C" for c in name)):
        raise DocumentRejected(MSG_NAME)
    return name


def check_upload(content: bytes, filename: str, max_bytes: int) -> Checked:
    """Raises DocumentRejected with the reason; reads nothing from disk and writes nothing."""
    if len(content) > max_bytes:
        raise DocumentRejected(too_large_message(max_bytes))
    if not content:
        raise DocumentRejected(MSG_EMPTY)
    name = display_name(filename)
    detected = sniff(content)
    if detected is None:
        raise DocumentRejected(MSG_TYPE)
    return Checked(content_type=detected[0], extension=detected[1], filename=name)


@dataclass(frozen=True)
class Stored:
    stored_name: str
    sha256: str
    size: int


def store(upload_dir: Path, content: bytes, extension: str) -> Stored:
    """Writes the content under a fresh random name (never overwrites) and returns its digest."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    with open(stored_path(upload_dir, stored_name), "xb") as file:
        file.write(content)
    return Stored(stored_name=stored_name, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def generated_name(key: str, extension: str = "pdf") -> str:
    """The stored name of a generated document, fixed by its key (case + kind + round): a retried or
    replayed generation writes the same file and finds the same row."""
    return f"{hashlib.sha256(f'generated:{key}'.encode()).hexdigest()[:32]}.{extension}"


def store_as(upload_dir: Path, stored_name: str, content: bytes) -> Stored:
    """Writes the content under a name of ours (generated_name), replacing it whole: readers never see
    half a file."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = stored_path(upload_dir, stored_name)
    partial = path.with_name(f".{stored_name}.{secrets.token_hex(4)}.part")
    try:
        with open(partial, "xb") as file:
            file.write(content)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Stored(stored_name=stored_name, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def stored_path(upload_dir: Path, stored_name: str) -> Path:
    """The file of a stored name; anything but our own names is refused (defence in depth)."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored document name: {stored_name!r}")
    return upload_dir / stored_name


def discard(upload_dir: Path, stored_name: str) -> None:
    stored_path(upload_dir, stored_name).unlink(missing_ok=True)
