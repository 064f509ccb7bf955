"""The WhatsApp channel against a real local HTTP server standing in for the gateway."""

import logging
import uuid
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.mailsink import MailSink
from activities.notify import NotifyActivities
from activities.whatsapp import GatewayError, render_whatsapp
from core.config import Settings
from core.db import engine_for, migrate, session_scope
from core.messages import Notice, Recipients
from core.models import Notification
from tests.utils.factories import make_user
from tests.utils.gateway import Gateway

NUMBER = "6281234567890"
CONTEXT = {"sop_title": "Fasilitasi Pemasaran Produk melalui Galeri", "tracking_code": "KT7W9QX2MA",
           "title": "Keripik Tempe — Bu Sri", "applicant_name": "Sri", "reasons": ["Rasa terlalu asin"],
           "missing": ["Sertifikat Halal"], "reason": "Foto NIB buram", "price": 15000}
TEMPLATES = ("sample_requested", "documents_returned", "curation_passed", "curation_failed", "product_displayed",
             "cancelled")


@pytest.fixture
def db(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    migrate(url)
    engine = engine_for(url)
    return url, engine, make_user(engine, "umkm", phone="0812-3456-7890"), make_user(engine, "staf_galeri", "jatim")


def settings_for(db, sink: MailSink, gateway: Gateway | None, **shape) -> Settings:
    whatsapp = {"whatsapp_url": gateway.url, "whatsapp_token": "rahasia-gateway", **shape} if gateway else {}
    return Settings(env="test", database_url=db[0], smtp_port=sink.port, base_url="http://alur.test", **whatsapp)


def notice(recipients: Recipients, template: str = "curation_passed") -> Notice:
    case_id = f"gallery-curation-2027-{uuid.uuid4().hex[:6]}"
    return Notice(key=f"{case_id}/announce#1/{template}", case_id=case_id, template=template,
                  recipients=recipients, context={**CONTEXT, "case_id": case_id})


async def run(settings: Settings, engine, message: Notice) -> int:
    return await ActivityEnvironment().run(NotifyActivities(settings, engine).send_notice, message)


def channels(engine, key: str) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(select(Notification).where(Notification.key.startswith(key)))
        return sorted(r.channel for r in rows)


async def test_fonnte_shape_by_default(db, mail_sink: MailSink, gateway: Gateway) -> None:
    _, engine, applicant, _ = db
    message = notice(Recipients(user_ids=[applicant.id]))
    assert await run(settings_for(db, mail_sink, gateway), engine, message) == 2  # e-mail and WhatsApp

    [request] = gateway.received
    assert request.path == "/send" and request.headers["authorization"] == "rahasia-gateway"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert set(request.fields) == {"target", "message"} and request.fields["target"] == NUMBER
    text = request.fields["message"]
    assert text.startswith("*Alur — Layanan UMKM*") and "*LOLOS* kurasi galeri" in text
    assert f"http://alur.test/kasus/{message.case_id}" in text and "KT7W9QX2MA" in text
    assert channels(engine, message.key) == ["email", "whatsapp"]
    assert [m for m in mail_sink.messages() if m["to"] == applicant.email]


async def test_woowa_shape_token_in_json_body(db, mail_sink: MailSink, gateway: Gateway) -> None:
    _, engine, applicant, _ = db
    woowa = {"whatsapp_token_in": "field", "whatsapp_token_name": "key", "whatsapp_phone_field": "phone_no",
             "whatsapp_body": "json"}
    await run(settings_for(db, mail_sink, gateway, **woowa), engine, notice(Recipients(user_ids=[applicant.id])))
    [request] = gateway.received
    assert request.headers["content-type"] == "application/json" and "authorization" not in request.headers
    assert set(request.fields) == {"phone_no", "key", "message"}
    assert request.fields["phone_no"] == NUMBER and request.fields["key"] == "rahasia-gateway"


async def test_failure_raises_and_the_retry_sends_each_message_once(db, mail_sink: MailSink, gateway: Gateway) -> None:
    _, engine, applicant, _ = db
    gateway.answers = [(503, {"status": False}), (200, {"status": False, "reason": "device disconnected"}),
                       (200, {"status": True})]
    settings = settings_for(db, mail_sink, gateway)
    message = notice(Recipients(user_ids=[applicant.id]))
    with pytest.raises(GatewayError, match="HTTP 503"):
        await run(settings, engine, message)
    with pytest.raises(GatewayError, match="device disconnected"):
        await run(settings, engine, message)
    assert channels(engine, message.key) == ["email"]  # the e-mail went out on the first attempt
    assert await run(settings, engine, message) == 1  # the retry sends only the WhatsApp message
    assert await run(settings, engine, message) == 0
    assert len(gateway.received) == 3 and channels(engine, message.key) == ["email", "whatsapp"]
    assert len([m for m in mail_sink.messages() if m["to"] == applicant.email]) == 1


async def test_unconfigured_sends_none_and_says_so_once(db, mail_sink: MailSink, gateway: Gateway,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    _, engine, applicant, _ = db
    with caplog.at_level(logging.INFO, logger="activities.whatsapp"):
        activities = NotifyActivities(settings_for(db, mail_sink, None), engine)
    assert [r.message for r in caplog.records] == ["WhatsApp notices off: ALUR_WHATSAPP_URL is not set"]
    message = notice(Recipients(user_ids=[applicant.id]))
    assert await ActivityEnvironment().run(activities.send_notice, message) == 1
    assert gateway.received == [] and channels(engine, message.key) == ["email"]


async def test_only_templates_with_a_whatsapp_text_and_only_mobile_numbers(db, mail_sink: MailSink,
                                                                         gateway: Gateway) -> None:
    _, engine, applicant, staff = db
    settings = settings_for(db, mail_sink, gateway)
    assert await run(settings, engine, notice(Recipients(user_ids=[applicant.id]), template="task")) == 1
    assert gateway.received == []
    mixed = Recipients(user_ids=[applicant.id, staff.id], phones=["+62 812-3456-7890", "021-555-1234"])
    assert await run(settings, engine, notice(mixed, template="cancelled")) == 3  # two e-mails, one WhatsApp
    assert [r.fields["target"] for r in gateway.received] == [NUMBER]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_whatsapp_template_renders(template: str) -> None:
    text = render_whatsapp(template, {**CONTEXT, "case_id": "gallery-curation-2027-000001",
                                      "base_url": "http://alur.test", "recipient_name": "Sri"})
    assert "{{" not in text and "{%" not in text and "Yth. Sri" in text
    assert "http://alur.test/kasus/gallery-curation-2027-000001" in text and "\n\n\n" not in text
