"""core.documents: the type from the content, the size limit, names that look like paths, storage."""

import hashlib

import pytest

from core.documents import DocumentRejected, check_upload, discard, display_name, sniff, store, stored_path
from tests.utils.gallery import JPEG, PDF, PHP, PNG

LIMIT = 1024


@pytest.mark.parametrize(("content", "expected"), [
    (PDF, ("application/pdf", "pdf")), (PNG, ("image/png", "png")), (JPEG, ("image/jpeg", "jpg")),
    (PHP, None), (b"GIF89a", None), (b"<html>%PDF-", None), (b"PK\x03\x04", None), (b"", None),
])
def test_sniff_reads_the_content_not_the_name(content: bytes, expected) -> None:
    assert sniff(content) == expected


@pytest.mark.parametrize("name", [
    "../../etc/passwd.pdf", "..\\..\\boot.ini", "/etc/passwd", "a/b.pdf", "..", ".", "", "   ",
    "ktp\x00.pdf", "ktp\n.pdf", "x" * 201 + ".pdf", "laporan..pdf",
])
def test_names_that_look_like_paths_are_refused(name: str) -> None:
    with pytest.raises(DocumentRejected, match="Nama berkas tidak valid"):
        display_name(name)


def test_ordinary_names_are_kept_for_display() -> None:
    assert display_name("  KTP Sri Wahyuni (2024).PDF ") == "KTP Sri Wahyuni (2024).PDF"
    assert display_name("sertifikat-halal_ó.jpg") == "sertifikat-halal_ó.jpg"


def test_check_upload_refusals() -> None:
    with pytest.raises(DocumentRejected, match="Jenis berkas tidak diterima"):
        check_upload(PHP, "surat.pdf", LIMIT)
    with pytest.raises(DocumentRejected, match=r"terlalu besar \(maksimal 1 KB\)"):
        check_upload(PDF + b"0" * LIMIT, "surat.pdf", LIMIT)
    with pytest.raises(DocumentRejected, match="Berkas kosong"):
        check_upload(b"", "surat.pdf", LIMIT)
    checked = check_upload(PNG, "foto.pdf", LIMIT)  # a PNG named .pdf is a PNG
    assert (checked.content_type, checked.extension, checked.filename) == ("image/png", "png", "foto.pdf")


def test_store_uses_a_fresh_random_name_and_records_the_digest(tmp_path) -> None:
    first, second = store(tmp_path / "up", PDF, "pdf"), store(tmp_path / "up", PDF, "pdf")
    assert first.stored_name != second.stored_name and first.stored_name.endswith(".pdf")
    assert first.sha256 == hashlib.sha256(PDF).hexdigest() and first.size == len(PDF)
    assert stored_path(tmp_path / "up", first.stored_name).read_bytes() == PDF
    discard(tmp_path / "up", first.stored_name)
    assert sorted(p.name for p in (tmp_path / "up").iterdir()) == [second.stored_name]


@pytest.mark.parametrize("name", ["../x.pdf", "0" * 32 + ".php", "/etc/passwd", "0" * 31 + ".pdf"])
def test_stored_path_accepts_only_our_names(tmp_path, name: str) -> None:
    with pytest.raises(ValueError):
        stored_path(tmp_path, name)
