"""E-mail notifications: render a template trio, send it over SMTP, at most once per key."""

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, TemplateNotFound, select_autoescape
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from core.db import session_scope
from core.messages import Notice, Recipients
from core.models import Notification, User

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
JAKARTA = ZoneInfo("Asia/Jakarta")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
          "Agustus", "September", "Oktober", "November", "Desember")
KEY_LENGTH = 300  # Notification.key column size
SMTP_TIMEOUT = 30


@dataclass
class EmailData:
    subject: str
    html: str
    text: str


# ---- rendering -----------------------------------------------------------------------------


def tanggal(value: datetime | str | None) -> str:
    """'Senin, 17 Agustus 2026 15:00 WIB'; accepts ISO strings since Temporal carries datetimes as text."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # stored values are UTC; never guess local time
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(JAKARTA)
    return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M} WIB"


def rupiah(value: int | float | str | None) -> str:
    """15000 -> 'Rp 15.000' (whole rupiah, dot as thousands separator)."""
    if value is None or value == "":
        return ""
    amount = round(float(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=tanggal, rupiah=rupiah)
    return env


def render_email(template: str, context: dict) -> EmailData:
    env = environment()
    context = dict(context)
    if context.get("case_id"):
        context["link"] = f"{context.get('base_url', '')}/kasus/{context['case_id']}"
    subject = env.get_template(f"{template}.subject.txt").render(context)
    return EmailData(
        subject=" ".join(subject.split()),  # one line: a newline would break the header
        html=env.get_template(f"{template}.html").render(context),
        text=env.get_template(f"{template}.txt").render(context),
    )


# ---- sending -------------------------------------------------------------------------------


async def send_email(settings: Settings, to: str, email: EmailData) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.mail_from)[1].rpartition("@")[2] or None)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_starttls,
        timeout=SMTP_TIMEOUT,
    )


def _fit_key(key: str) -> str:
    # A key longer than the column would fail the insert after sending, so every retry would resend.
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


def _already_sent(engine: Engine, key: str) -> bool:
    with session_scope(engine) as session:
        return session.exec(select(Notification.id).where(Notification.key == key)).first() is not None


def _record_sent(engine: Engine, key: str, case_id: str | None, to: str, subject: str) -> None:
    with session_scope(engine) as session:
        session.add(Notification(key=key, case_id=case_id, channel="email", recipient=to, subject=subject[:300]))
        try:
            session.commit()
        except IntegrityError:
            # A concurrent attempt recorded it first; the message is out either way.
            activity.logger.warning("notification %s already recorded by a concurrent send", key)


async def _send_once(
    settings: Settings, engine: Engine, key: str, to: str, template: str, context: dict, case_id: str | None = None
) -> bool:
    """Sends unless `key` was sent before. A crash between send and record resends once (at-least-once)."""
    key = _fit_key(key)
    if await asyncio.to_thread(_already_sent, engine, key):
        activity.logger.info("skip %s: already sent", key)
        return False
    email = render_email(template, {**context, "base_url": settings.base_url})
    await send_email(settings, to, email)
    await asyncio.to_thread(_record_sent, engine, key, case_id, to, email.subject)
    activity.logger.info("sent %s to %s", template, to)
    return True


async def send_direct(settings: Settings, engine: Engine, key: str, to: str, template: str, context: dict) -> bool:
    """Idempotent send outside a workflow (e.g. account verification); True when sent now."""
    return await _send_once(settings, engine, key, to, template, context)


# ---- the activity --------------------------------------------------------------------------


def resolve_recipients(engine: Engine, recipients: Recipients) -> dict[str, str]:
    """Address -> name, de-duplicated case-insensitively; users first so they keep their names."""
    with session_scope(engine) as session:
        users = list(session.exec(select(User).where(col(User.id).in_(recipients.user_ids)))) if recipients.user_ids else []
        # Roles are scoped to one agency: without one, a role must not reach every Dinas.
        if recipients.roles and recipients.agency:
            query = select(User).where(col(User.role).in_(recipients.roles), User.agency == recipients.agency)
            users += list(session.exec(query))
    found: dict[str, tuple[str, str]] = {}
    for address, name in [*((u.email, u.name) for u in users), *((e, "") for e in recipients.emails)]:
        address = address.strip()
        if address:
            found.setdefault(address.lower(), (address, name))
    return dict(found.values())


class NotifyActivities:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @activity.defn(name="send_notice")
    async def send_notice(self, notice: Notice) -> int:
        """Sends the notice to each recipient once; returns how many were sent by this call."""
        try:
            environment().get_template(f"{notice.template}.subject.txt")
        except TemplateNotFound:
            # Retrying cannot fix a missing template; fail the activity for good.
            raise ApplicationError(f"unknown e-mail template {notice.template!r}", non_retryable=True) from None
        addresses = await asyncio.to_thread(resolve_recipients, self.engine, notice.recipients)
        if not addresses:
            activity.logger.warning("notice %s has no recipients", notice.key)
        sent = 0
        for address, name in addresses.items():
            key = f"{notice.key}/email/{address.lower()}"
            context = {**notice.context, "recipient_name": name}
            sent += await _send_once(self.settings, self.engine, key, address, notice.template, context, notice.case_id)
        return sent
