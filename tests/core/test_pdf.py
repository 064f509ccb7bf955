"""Generated PDFs: what the template was given is in the text, and the same input gives the same bytes."""

import io
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from jinja2 import TemplateNotFound
from pypdf import PdfReader

from core.pdf import render_pdf
from core.roles import AGENCIES

SURAT_TUGAS = {
    "agency": "ponorogo", "case_id": "pengaduan-2026-000017", "tracking_code": "K7M2P9Q4RT",
    "date": "2026-08-03T02:00:00+00:00", "city": "Ponorogo", "number": "800/17/405.17/2026",
    "basis": ["Pengaduan konsumen nomor agenda 17/2026"],
    "officers": [{"name": "Bambang Sutrisno, S.E.", "nip": "19800101 200501 1 001", "position": "Pengawas"},
                 {"name": "Dewi Kartika"}],
    "task": "Klarifikasi <b>timbangan</b> pedagang", "starts_at": "2026-08-05T02:00:00+00:00", "place": "Pasar Legi",
    "signatory": {"name": "Drs. Hadi Prasetyo, M.M.", "position": "Kepala Dinas", "nip": "19700303 199503 1 003"},
}


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_surat_tugas_says_what_it_was_given() -> None:
    pdf = render_pdf("surat_tugas", SURAT_TUGAS)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    text = text_of(pdf)
    assert AGENCIES["ponorogo"].name.upper() in text  # the letterhead
    for expected in ("SURAT TUGAS", "Nomor: 800/17/405.17/2026", "Bambang Sutrisno, S.E.", "19800101 200501 1 001",
                     "Dewi Kartika", "Pasar Legi", "Rabu, 5 Agustus 2026, pukul 09.00 WIB",  # in the agency's zone
                     "Ponorogo, 3 Agustus 2026", "Drs. Hadi Prasetyo, M.M.", "pengaduan-2026-000017"):
        assert expected in text, expected
    assert "Klarifikasi <b>timbangan</b> pedagang" in text  # escaped: shown, never markup
    assert reader.metadata.title == "Surat Tugas 800/17/405.17/2026"


def test_the_same_input_gives_the_same_bytes_in_another_process_too() -> None:
    first = render_pdf("surat_tugas", SURAT_TUGAS)
    assert render_pdf("surat_tugas", SURAT_TUGAS) == first
    script = ("import sys; from core.pdf import render_pdf; from tests.core.test_pdf import SURAT_TUGAS; "
              "sys.stdout.buffer.write(render_pdf('surat_tugas', SURAT_TUGAS))")
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=120).stdout
    assert again == first
    other = render_pdf("surat_tugas", {**SURAT_TUGAS, "number": "800/18/405.17/2026"})
    assert other != first


def test_no_clock_in_the_file_but_the_documents_own_date() -> None:
    reader = PdfReader(io.BytesIO(render_pdf("surat_tugas", SURAT_TUGAS)))
    assert reader.metadata.creation_date == datetime(2026, 8, 3, 2, tzinfo=timezone.utc)
    assert "/ModDate" not in reader.metadata
    undated = {k: v for k, v in SURAT_TUGAS.items() if k != "date"}
    assert "/CreationDate" not in PdfReader(io.BytesIO(render_pdf("surat_tugas", undated))).metadata


@pytest.mark.parametrize(("template", "context", "expected"), [
    ("lembar_disposisi", {"agenda_number": "17/2026", "received_at": "2026-08-03T02:00:00+00:00",
                          "origin": "Siti Aminah", "subject": "Pengaduan timbangan",
                          "recipients": [{"name": "Budi", "position": "Kepala Bidang"}],
                          "instructions": ["Tindak lanjuti"]},
     ["LEMBAR DISPOSISI", "Nomor Agenda: 17/2026", "3 Agustus 2026", "Siti Aminah", "Budi (Kepala Bidang)",
      "Tindak lanjuti"]),
    ("laporan_hasil", {"number": "700/5/2026", "subject": "Klarifikasi", "assignment_number": "800/17/405.17/2026",
                       "officers": [{"name": "Dewi Kartika"}], "findings": ["Timbangan tidak ditera"],
                       "conclusion": "Pengaduan terbukti"},
     ["LAPORAN HASIL", "700/5/2026", "Surat Tugas Nomor 800/17/405.17/2026", "Dewi Kartika",
      "Timbangan tidak ditera", "Pengaduan terbukti"]),
    ("undangan", {"number": "005/9/2026", "to": {"name": "Toko Maju Jaya", "address": "Jl. Merdeka 1"},
                  "subject": "Klarifikasi pengaduan", "starts_at": "2026-08-05T02:00:00+00:00", "place": "Ruang Rapat"},
     ["005/9/2026", "Toko Maju Jaya", "Jl. Merdeka 1", "Rabu, 5 Agustus 2026", "09.00 WIB", "Ruang Rapat"]),
])
def test_every_generated_kind_has_its_template(template: str, context: dict, expected: list[str]) -> None:
    text = text_of(render_pdf(template, {"agency": "jombang", **context}))
    assert AGENCIES["jombang"].name.upper() in text
    for line in expected:
        assert line in text, line


def test_an_unknown_template_is_an_error() -> None:
    with pytest.raises(TemplateNotFound):
        render_pdf("tidak_ada", {})
