"""Photos made fit to publish: what may locate or identify a person (EXIF with GPS position and camera
serial, comments, PNG text chunks, data appended after the image such as a phone's "motion photo" video)
is removed from JPEG and PNG files, without decoding their pixels. A JPEG keeps its orientation, so a
phone's portrait photo still shows upright, and its colour profile.

The structure is walked completely, so a file that is not a whole JPEG or PNG is refused here, too.
"""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary PNG chunks that carry text, EXIF or a timestamp; every other chunk is kept.
PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
ORIENTATION_TAG = 0x0112
SOS, EOI, APP0, APP1, APP2, APP14, COM = 0xDA, 0xD9, 0xE0, 0xE1, 0xE2, 0xEE, 0xFE


class ImageUnreadable(ValueError):
    """Not a whole JPEG or PNG file."""


def without_metadata(content: bytes, content_type: str) -> bytes:
    """The image without its metadata; raises ImageUnreadable for a broken or truncated file."""
    if content_type == "image/jpeg":
        return clean_jpeg(content)
    if content_type == "image/png":
        return clean_png(content)
    raise ImageUnreadable(content_type)


# ---- JPEG ----------------------------------------------------------------------------------


def _kept_application_segment(marker: int, payload: bytes) -> bool:
    """APP0 (JFIF), the ICC colour profile and Adobe's colour transform; not EXIF, XMP, maker notes, comments."""
    return (marker == APP0 or (marker == APP2 and payload.startswith(b"ICC_PROFILE\x00"))
            or (marker == APP14 and payload.startswith(b"Adobe")))


def clean_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise ImageUnreadable("no SOI")
    leading: list[bytes] = []  # the APP0 segments right after SOI, where the orientation goes after
    segments: list[bytes] = []
    orientation: int | None = None
    scanned = False
    position, size = 2, len(data)
    while True:
        if position >= size or data[position] != 0xFF:
            raise ImageUnreadable("marker expected")
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            raise ImageUnreadable("truncated")
        marker = data[position]
        position += 1
        if marker == EOI:
            if not scanned:
                raise ImageUnreadable("no image data")
            break  # anything appended after the image is dropped
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            segments.append(bytes((0xFF, marker)))
            continue
        if position + 2 > size:
            raise ImageUnreadable("truncated")
        (length,) = struct.unpack(">H", data[position:position + 2])
        end = position + length
        if length < 2 or end > size:
            raise ImageUnreadable("bad segment length")
        payload = data[position + 2:end]
        segment = bytes((0xFF, marker)) + data[position:end]
        position = end
        if marker == APP1:
            orientation = orientation or exif_orientation(payload)
        elif (0xE0 <= marker <= 0xEF or marker == COM) and not _kept_application_segment(marker, payload):
            pass
        elif marker == APP0 and not segments:
            leading.append(segment)
        else:
            segments.append(segment)
        if marker == SOS:
            position, scanned = _entropy_end(data, position), True
            segments.append(data[end:position])
    exif = [orientation_segment(orientation)] if orientation and orientation != 1 else []
    return b"".join([b"\xff\xd8", *leading, *exif, *segments, b"\xff\xd9"])


def _entropy_end(data: bytes, position: int) -> int:
    """Where a scan's entropy-coded data ends: at the next marker that is not a stuffed 0xFF00 or a restart."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            raise ImageUnreadable("truncated scan")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2
            continue
        return found


def exif_orientation(payload: bytes) -> int | None:
    """The Orientation tag (1-8) of IFD0 of an EXIF APP1 payload, or None."""
    if not payload.startswith(b"Exif\x00\x00"):
        return None
    tiff = payload[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8 or struct.unpack(order + "H", tiff[2:4])[0] != 42:
        return None
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    if offset + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[offset:offset + 2])
    for entry in range(offset + 2, offset + 2 + 12 * count, 12):
        if entry + 12 > len(tiff):
            return None
        tag, kind, number = struct.unpack(order + "HHI", tiff[entry:entry + 8])
        if tag == ORIENTATION_TAG and kind == 3 and number == 1:  # one SHORT
            (value,) = struct.unpack(order + "H", tiff[entry + 8:entry + 10])
            return value if 1 <= value <= 8 else None
    return None


def orientation_segment(orientation: int) -> bytes:
    """An EXIF APP1 segment holding nothing but the orientation."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + b"MM\x00\x2a" + struct.pack(">I", 8) + ifd
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# ---- PNG -----------------------------------------------------------------------------------


def clean_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise ImageUnreadable("no PNG signature")
    kept = [PNG_SIGNATURE]
    position, first = len(PNG_SIGNATURE), True
    while True:
        if position + 12 > len(data):
            raise ImageUnreadable("truncated")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            raise ImageUnreadable("bad chunk")
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(data[position + 4:end - 4]) != crc:
            raise ImageUnreadable("bad chunk checksum")
        if kind not in PNG_DROPPED:
            kept.append(data[position:end])
        position, first = end, False
        if kind == b"IEND":
            return b"".join(kept)  # anything appended after IEND is dropped
