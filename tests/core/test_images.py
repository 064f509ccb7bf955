"""Photos lose their metadata (EXIF, comments, text chunks, appended data) but keep the image and the
orientation; broken files are refused."""

import pytest

from core.images import ImageUnreadable, clean_jpeg, clean_png, exif_orientation, without_metadata
from tests.utils.jathil import jpeg, png

SECRET = b"GPS -7.8651,111.4696 serial 4711"


def test_jpeg_keeps_only_the_orientation_and_drops_what_follows_the_image() -> None:
    original = jpeg(orientation=6, secret=SECRET, trailer=b"MotionPhoto_Data" + b"\x00" * 32)
    cleaned = clean_jpeg(original)
    assert SECRET not in cleaned and b"comment" not in cleaned and b"MotionPhoto" not in cleaned
    assert cleaned.startswith(b"\xff\xd8\xff\xe0") and cleaned.endswith(b"\x12\xff\x00\x34\xff\xd0\x56\xff\xd9")
    app1 = cleaned.index(b"\xff\xe1")
    assert exif_orientation(cleaned[app1 + 4:app1 + 2 + int.from_bytes(cleaned[app1 + 2:app1 + 4])]) == 6
    assert clean_jpeg(cleaned) == cleaned  # idempotent
    assert without_metadata(original, "image/jpeg") == cleaned


def test_an_upright_jpeg_keeps_no_exif_at_all() -> None:
    assert b"Exif" not in clean_jpeg(jpeg(orientation=1, secret=SECRET))
    assert clean_jpeg(jpeg()) == jpeg()


def test_png_text_chunks_and_trailing_bytes_are_dropped() -> None:
    cleaned = clean_png(png(text=SECRET) + b"appended")
    assert cleaned == png() and SECRET not in cleaned


@pytest.mark.parametrize("content, content_type", [
    (jpeg()[:-12], "image/jpeg"),  # cut inside the scan
    (jpeg().replace(b"\xff\xda", b"\xff\xd9", 1)[:40], "image/jpeg"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9", "image/jpeg"),  # bytes after a segment
    (png()[:-3], "image/png"),
    (png().replace(b"IDAT", b"IDAX"), "image/png"),  # checksum no longer matches
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17, "image/png"),  # no IEND
    (b"%PDF-1.7", "application/pdf"),
])
def test_broken_files_are_refused(content: bytes, content_type: str) -> None:
    with pytest.raises(ImageUnreadable):
        without_metadata(content, content_type)
