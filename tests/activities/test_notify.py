import socket
import uuid
from datetime import datetime, timedelta, timezone

import aiosmtplib
import pytest
from sqlmodel import delete, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mailsink import MailSink, read_mailbox
from activities.notify import NotifyActivities, message_id_for, render_email, rupiah, send_direct, tanggal
from core.config import Settings
from core.db import engine_for, migrate, session_scope
from core.messages import Notice, Recipients
from core.models import Notification, User

TEMPLATES = ("submitted", "task", "reminder", "escalation", "escalation2", "returned",
             "approved", "rejected", "edited", "verify_account", "cancelled")
CONTEXT = {
    "case_id": "izin-2026-7", "sop_title": "Izin Usaha Mikro", "tracking_code": "AB12CD",
    "applicant_name": "Siti Aminah", "stage": "verifikasi", "title": "Warung Siti",
    "step_title": "Verifikasi berkas", "due_at": datetime(2026, 8, 17, 8, tzinfo=timezone.utc),
    "reason": "Foto KTP buram", "recipient_name": "Budi", "base_url": "http://test",
    "changes": [{"field": "Alamat", "old": "Jl. Melati 1", "new": "Jl. Mawar 2"}],
    "name": "Budi", "verify_url": "http://test/verifikasi?t=abc",
}
WIB = timezone(timedelta(hours=7))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'alur.db'}"
    migrate(url)
    engine = engine_for(url)
    users = {
        "applicant": User(email="siti@umkm.test", name="Siti Aminah", role="umkm", password_hash="x"),
        "officer": User(email="budi@ponorogo.test", name="Budi", role="petugas", agency="ponorogo", password_hash="x"),
        "head": User(email="kadis@ponorogo.test", name="Kadis", role="kepala_dinas", agency="ponorogo",
                     password_hash="x"),
        "other": User(email="tono@jombang.test", name="Tono", role="kepala_dinas", agency="jombang", password_hash="x"),
    }
    with session_scope(engine) as session:
        session.add_all(users.values())
        session.commit()
    return url, engine, {name: user.id for name, user in users.items()}


@pytest.fixture
def sink(tmp_path):
    mail = MailSink(tmp_path / "mail.jsonl", port=free_port())
    mail.start()
    yield mail
    mail.stop()


@pytest.fixture
def settings(sink, db):
    return Settings(env="test", smtp_port=sink.port, database_url=db[0], base_url="http://test")


def notice(recipients: Recipients, template: str = "task") -> Notice:
    case_id = f"izin-2026-{uuid.uuid4().hex[:6]}"
    return Notice(key=f"{case_id}/verify#1/{template}", case_id=case_id, template=template,
                  recipients=recipients, context={**CONTEXT, "case_id": case_id, "recipient_name": None})


async def run(activities: NotifyActivities, message: Notice) -> int:
    return await ActivityEnvironment().run(activities.send_notice, message)


def recorded(engine, prefix: str) -> list[Notification]:
    with session_scope(engine) as session:
        return list(session.exec(select(Notification).where(Notification.key.startswith(prefix))))


# ---- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders(template):
    email = render_email(template, CONTEXT)
    assert email.subject and "\n" not in email.subject
    for body in (email.text, email.html):
        assert "{{" not in body and "{%" not in body
        assert "Alur — Layanan UMKM" in body
        assert "Pesan otomatis, jangan dibalas." in body
        assert "http://test/lacak/AB12CD" in body
    assert any(word in email.text for word in ("Permohonan", "permohonan", "Tugas", "tugas", "akun"))
    assert "Yth. Budi" in email.text


def test_render_details():
    task = render_email("task", CONTEXT)
    assert task.subject == "Tugas baru: Verifikasi berkas — Izin Usaha Mikro (AB12CD)"
    assert "Senin, 17 Agustus 2026 15:00 WIB" in task.text
    assert "http://test/kasus/izin-2026-7" in task.html
    assert "Foto KTP buram" in render_email("rejected", CONTEXT).text
    assert "Jl. Melati 1 -> Jl. Mawar 2" in render_email("edited", CONTEXT).text
    verify = render_email("verify_account", CONTEXT)
    assert "Aktifkan akun saya" in verify.html and "http://test/verifikasi?t=abc" in verify.html


def test_render_escapes_html_and_tolerates_missing_keys():
    email = render_email("returned", {"reason": "<b>NIB</b> salah", "base_url": "http://test"})
    assert "&lt;b&gt;NIB&lt;/b&gt;" in email.html and "<b>NIB</b>" in email.text
    assert "/kasus/" not in email.html and "/lacak/" not in email.html
    assert "Yth. Bapak/Ibu" in email.text
    assert "  " not in email.subject


@pytest.mark.parametrize(("value", "expected"), [
    (15000, "Rp 15.000"), (0, "Rp 0"), (1250000.4, "Rp 1.250.000"), ("7500", "Rp 7.500"),
    (-2500, "-Rp 2.500"), (None, ""),
])
def test_rupiah(value, expected):
    assert rupiah(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 8, 17, 15, tzinfo=WIB), "Senin, 17 Agustus 2026 15:00 WIB"),
    (datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc), "Jumat, 1 Januari 2027 00:30 WIB"),
    ("2026-03-01T02:05:00+00:00", "Minggu, 1 Maret 2026 09:05 WIB"),
    (None, ""),
])
def test_tanggal(value, expected):
    assert tanggal(value) == expected


# ---- sending -------------------------------------------------------------------------------


async def test_send_notice_reaches_user_and_role_of_agency(settings, sink, db):
    _, engine, ids = db
    activities = NotifyActivities(settings, engine)
    message = notice(Recipients(user_ids=[ids["officer"]], roles=["kepala_dinas"], agency="ponorogo"))

    assert await run(activities, message) == 2

    received = {m["to"]: m for m in sink.messages()}
    assert set(received) == {"budi@ponorogo.test", "kadis@ponorogo.test"}  # not tono@jombang
    budi = received["budi@ponorogo.test"]
    assert budi["subject"] == "Tugas baru: Verifikasi berkas — Izin Usaha Mikro (AB12CD)"
    assert "Yth. Budi" in budi["text"] and "Yth. Kadis" in received["kadis@ponorogo.test"]["text"]
    assert f"http://test/kasus/{message.case_id}" in budi["html"]
    assert budi["from"] == "no-reply@alur.local"
    assert len(recorded(engine, message.key)) == 2


async def test_same_notice_twice_sends_once(settings, sink, db):
    _, engine, ids = db
    activities = NotifyActivities(settings, engine)
    message = notice(Recipients(user_ids=[ids["applicant"]]), template="submitted")

    assert await run(activities, message) == 1
    assert await run(activities, message) == 0
    assert [m["to"] for m in sink.messages()] == ["siti@umkm.test"]


async def test_other_agency_with_the_role_is_not_reached(settings, sink, db):
    _, engine, _ = db
    message = notice(Recipients(roles=["kepala_dinas"], agency="jombang"), template="escalation")
    assert await run(NotifyActivities(settings, engine), message) == 1
    assert [m["to"] for m in sink.messages()] == ["tono@jombang.test"]


async def test_duplicate_addresses_receive_one_message(settings, sink, db):
    _, engine, ids = db
    message = notice(Recipients(user_ids=[ids["applicant"]], emails=["SITI@umkm.test", "lain@umkm.test"]))
    assert await run(NotifyActivities(settings, engine), message) == 2
    assert sorted(m["to"] for m in sink.messages()) == ["lain@umkm.test", "siti@umkm.test"]


async def test_smtp_down_raises_and_records_nothing(db):
    url, engine, ids = db
    down = Settings(env="test", smtp_port=free_port(), database_url=url, base_url="http://test")
    message = notice(Recipients(user_ids=[ids["officer"]]))
    with pytest.raises(aiosmtplib.SMTPException):
        await run(NotifyActivities(down, engine), message)
    assert recorded(engine, message.key) == []


async def test_unknown_template_fails_without_retry(settings, db):
    message = notice(Recipients(user_ids=[db[2]["officer"]]), template="tidak_ada")
    with pytest.raises(ApplicationError) as error:
        await run(NotifyActivities(settings, db[1]), message)
    assert error.value.non_retryable


async def test_send_direct_is_idempotent(settings, sink, db):
    _, engine, _ = db
    key = f"verify/{uuid.uuid4().hex}"
    context = {"name": "Rina", "verify_url": "http://test/verifikasi?t=xyz"}
    assert await send_direct(settings, engine, key, "rina@umkm.test", "verify_account", context)
    assert not await send_direct(settings, engine, key, "rina@umkm.test", "verify_account", context)
    [mail] = sink.messages()
    assert mail["subject"] == "Aktifkan akun Alur Anda"
    assert "http://test/verifikasi?t=xyz" in mail["text"]
    [row] = recorded(engine, key)
    assert row.recipient == "rina@umkm.test" and row.channel == "email"


async def test_a_notice_resent_after_a_crash_carries_the_same_message_id(settings, sink, db):
    """A crash between sending and recording resends (at least once): mail clients drop the copy by its
    Message-ID, derived from the notice's key."""
    _, engine, _ = db
    key = f"verify/{uuid.uuid4().hex}"
    context = {"name": "Rina", "verify_url": "http://test/verifikasi?t=xyz"}
    assert await send_direct(settings, engine, key, "rina@umkm.test", "verify_account", context)
    with session_scope(engine) as session:  # the record lost, as if the worker died right after sending
        session.exec(delete(Notification).where(Notification.key == key))
        session.commit()
    assert await send_direct(settings, engine, key, "rina@umkm.test", "verify_account", context)
    first, second = sink.messages()
    assert first["message_id"] == second["message_id"] == message_id_for(key, settings.mail_from)
    assert first["message_id"].endswith("@alur.local>")


# ---- mail sink -----------------------------------------------------------------------------


async def test_mailbox_file_is_readable_newest_first(settings, sink, db):
    _, engine, _ = db
    for n in (1, 2):
        await send_direct(settings, engine, f"sink/{uuid.uuid4().hex}", f"u{n}@umkm.test", "approved", CONTEXT)
    mailbox = read_mailbox(sink.path)
    assert [m["to"] for m in mailbox] == ["u2@umkm.test", "u1@umkm.test"]
    assert mailbox[0]["html"].lstrip().startswith("<!doctype html>")
    assert "disetujui" in mailbox[0]["text"] and mailbox[0]["received_at"]
    assert mailbox == sink.messages()


def test_read_mailbox_missing_file_is_empty(tmp_path):
    assert read_mailbox(tmp_path / "none.jsonl") == []


def test_tanggal_in_the_agency_zone() -> None:
    """An agency outside western Indonesia reads its own clock (its Agency record's zone)."""
    moment = datetime(2026, 8, 17, 8, tzinfo=timezone.utc)
    assert tanggal(moment, "Asia/Makassar") == "Senin, 17 Agustus 2026 16:00 WITA"
    assert tanggal(moment, "Asia/Jayapura") == "Senin, 17 Agustus 2026 17:00 WIT"
    page = render_email("escalation", {"case_id": "x", "agency": "no-such-agency", "due_at": moment,
                                       "sop_title": "Uji", "tracking_code": "T", "applicant_name": "A", "stage": "S",
                                       "step_title": "Langkah", "title": "Judul"})
    assert "15:00 WIB" in page.text  # an unknown agency: the Agency record's default zone


def test_an_sop_may_word_a_notice_its_own_way(tmp_path) -> None:
    """templates/email/<sop>/<name> wins over the shared template, for that SOP only."""
    from templates import folder

    own = folder("email") / "throwaway"
    own.mkdir(exist_ok=True)
    try:
        (own / "approved.subject.txt").write_text("Uji: {{ case_id }} selesai")
        assert render_email("approved", {"case_id": "c-1", "sop": "throwaway"}).subject == "Uji: c-1 selesai"
        assert render_email("approved", {"case_id": "c-1", "sop": "jathil-vendor"}).subject != "Uji: c-1 selesai"
    finally:
        for path in own.iterdir():
            path.unlink()
        own.rmdir()
