"""The link in a case notice: the case page for a user with an account, the public tracking page for
someone without one (an offline or public applicant, reached by bare e-mail or phone), who cannot log in."""

import uuid

from temporalio.testing import ActivityEnvironment

from activities.mailsink import MailSink
from activities.notify import NotifyActivities
from activities.whatsapp import render_whatsapp
from core.config import Settings
from core.db import engine_for
from core.messages import Notice, Recipients
from core.users import create_user


async def test_accountless_recipients_get_the_tracking_page(settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = create_user(engine, email=f"akun.{uuid.uuid4().hex[:8]}@contoh.id", name="Siti Aminah", role="umkm",
                            password="kata-sandi-kuat")
    bare = f"tanpa.akun.{uuid.uuid4().hex[:8]}@contoh.id"
    case_id = f"izin-2026-{uuid.uuid4().hex[:6]}"
    context = {"case_id": case_id, "sop_title": "Izin Usaha Mikro", "tracking_code": "AB12CD",
               "applicant_name": "Siti Aminah", "stage": "Selesai", "title": "Warung Siti"}
    notice = Notice(key=f"{case_id}/approve#1/approved", case_id=case_id, template="approved",
                    recipients=Recipients(user_ids=[applicant.id], emails=[bare]), context=context)
    assert await ActivityEnvironment().run(NotifyActivities(settings, engine).send_notice, notice) == 2

    mails = {m["to"]: m for m in mail_sink.messages() if m["to"] in (applicant.email, bare)}
    own, public = mails[applicant.email], mails[bare]
    assert f"Lihat permohonan: http://alur.test/kasus/{case_id}" in own["text"]
    assert f'href="http://alur.test/kasus/{case_id}"' in own["html"]
    assert "Lacak permohonan: http://alur.test/lacak/AB12CD" in public["text"]
    assert 'href="http://alur.test/lacak/AB12CD"' in public["html"] and ">Lacak permohonan</a>" in public["html"]
    assert "/kasus/" not in public["text"] + public["html"]

    # WhatsApp (a bare phone number) the same way.
    text = render_whatsapp("curation_passed", {**context, "base_url": "http://alur.test", "public_link": True})
    assert "Lacak permohonan: http://alur.test/lacak/AB12CD" in text and "/kasus/" not in text
