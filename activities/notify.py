"""Notifications: each notice goes out on every channel that has its template, at most once per key.

Channels are notifiers: e-mail (a template trio sent over SMTP) and, when configured, WhatsApp
(activities/whatsapp.py). A retried activity skips what a channel already sent.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, Template, TemplateNotFound, pass_context, select_autoescape
from jinja2.runtime import Context
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.attachments import MailPart, mail_parts
from core.config import Settings
from core.db import session_scope
from core.messages import Attachment, EngineActivity, Notice, Recipients
from core.models import Notification, User
from core.roles import ZONE_NAMES, agency_timezone
from core.survey import invitation_context
from templates import folder as template_folder

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
          "Agustus", "September", "Oktober", "November", "Desember")
KEY_LENGTH = 300  # Notification.key column size
SMTP_TIMEOUT = 30
MESSAGE_KEY = "_message_key"  # the idempotency key, handed to the e-mail notifier in the context
# In the context of a message to someone without an account (an offline or public applicant): its link
# goes to the public tracking page, not to the case page that needs a login.
PUBLIC_LINK = "public_link"
# send_notice heartbeats this often while it works, so that a worker killed mid-send is noticed within the
# workflow's heartbeat timeout (workflows/sop.py NOTIFY_HEARTBEAT) instead of its one-minute time limit.
HEARTBEAT_EVERY = 2.0


@dataclass
class EmailData:
    subject: str
    html: str
    text: str


# ---- rendering -----------------------------------------------------------------------------


def tanggal(value: datetime | str | None, zone: str | None = None) -> str:
    """'Senin, 17 Agustus 2026 15:00 WIB' in `zone` (default: the Agency record's); accepts ISO strings
    since Temporal carries datetimes as text."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # stored values are UTC; never guess local time
        moment = moment.replace(tzinfo=timezone.utc)
    zone = zone or agency_timezone(None)
    local = moment.astimezone(ZoneInfo(zone))
    name = ZONE_NAMES.get(zone, local.tzname() or zone)
    return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M} {name}"


@pass_context
def tanggal_here(context: Context, value: datetime | str | None, agency: str | None = None) -> str:
    """The template filter: in the zone of the agency named, or of the case, notice or user shown."""
    agency = agency or context.get("agency") or getattr(context.get("case"), "agency", None) \
        or getattr(context.get("user"), "agency", None)
    return tanggal(value, agency_timezone(agency))


def rupiah(value: int | float | str | None) -> str:
    """15000 -> 'Rp 15.000' (whole rupiah, dot as thousands separator)."""
    if value is None or value == "":
        return ""
    amount = round(float(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


@lru_cache
def environment(folder: str = "email") -> Environment:
    """Templates of one channel: templates/email or templates/whatsapp."""
    env = Environment(
        loader=FileSystemLoader(template_folder(folder)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=tanggal_here, rupiah=rupiah)
    return env


def template_of(folder: str, name: str, sop: str | None = None) -> Template:
    """An SOP's own version (templates/<folder>/<sop>/<name>) wins over the shared one."""
    return environment(folder).select_template([f"{sop}/{name}", name] if sop else [name])


def with_link(context: dict) -> dict:
    """Adds the case page's address when the notice is about a case; for a recipient without an account
    (PUBLIC_LINK), the public tracking page of its tracking code instead."""
    context = dict(context)
    if context.get(PUBLIC_LINK):
        if context.get("tracking_code"):
            context["link"] = f"{context.get('base_url', '')}/lacak/{context['tracking_code']}"
    elif context.get("case_id"):
        context["link"] = f"{context.get('base_url', '')}/kasus/{context['case_id']}"
    return context


def render_email(template: str, context: dict) -> EmailData:
    context, sop = with_link(context), context.get("sop")
    subject = template_of("email", f"{template}.subject.txt", sop).render(context)
    return EmailData(
        subject=" ".join(subject.split()),  # one line: a newline would break the header
        html=template_of("email", f"{template}.html", sop).render(context),
        text=template_of("email", f"{template}.txt", sop).render(context),
    )


# ---- sending -------------------------------------------------------------------------------


def message_id_for(key: str, mail_from: str) -> str:
    """The same notice always has the same Message-ID: a copy that a crash between sending and recording
    lets through again is dropped by the recipient's mail client as a duplicate."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "alur.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


async def send_email(settings: Settings, to: str, email: EmailData, parts: Sequence[MailPart] = (),
                     key: str | None = None) -> None:
    """`key`: the notice's idempotency key, which fixes its Message-ID."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id_for(key, settings.mail_from) if key else \
        make_msgid(domain=parseaddr(settings.mail_from)[1].rpartition("@")[2] or None)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for part in parts:  # the text stays first; the message becomes multipart/mixed
        message.add_attachment(part.content, maintype=part.maintype, subtype=part.subtype, filename=part.filename,
                               params=part.params)
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


def _record_sent(engine: Engine, key: str, case_id: str | None, channel: str, to: str, subject: str) -> None:
    with session_scope(engine) as session:
        session.add(Notification(key=key, case_id=case_id, channel=channel, recipient=to, subject=subject[:300]))
        try:
            session.commit()
        except IntegrityError:
            # A concurrent attempt recorded it first; the message is out either way.
            activity.logger.warning("notification %s already recorded by a concurrent send", key)


@dataclass(frozen=True)
class Addressee:
    name: str
    email: str | None = None
    phone: str | None = None
    account: bool = False  # a user who can log in (and open the case page)


class Notifier(Protocol):
    """One channel. `send` returns the line recorded as the message's subject."""

    channel: str

    def handles(self, template: str) -> bool: ...

    def address(self, person: Addressee) -> str | None: ...

    async def send(self, to: str, template: str, context: dict) -> str: ...


class EmailNotifier:
    channel = "email"
    attaches = True  # takes a notice's attachments (other channels never get them)

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine  # reads stored documents' rows (document attachments)

    def handles(self, template: str) -> bool:
        return True  # every notice has an e-mail; send_notice refuses unknown templates

    def address(self, person: Addressee) -> str | None:
        return (person.email or "").strip() or None

    async def send(self, to: str, template: str, context: dict, attachments: Sequence[Attachment] = ()) -> str:
        email = render_email(template, {**context, "base_url": self.settings.base_url,
                                        **invitation_context(self.settings, template, context)})
        parts = await asyncio.to_thread(mail_parts, self.settings, self.engine, attachments, to,
                                        context.get("recipient_name") or "", context.get("agency")) \
            if attachments else []
        await send_email(self.settings, to, email, parts, key=context.get(MESSAGE_KEY))
        return email.subject


async def _send_once(
    engine: Engine, notifier: Notifier, key: str, to: str, template: str, context: dict, case_id: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Sends unless `key` was sent before. A crash between send and record resends once (at-least-once)."""
    key = _fit_key(key)
    if await asyncio.to_thread(_already_sent, engine, key):
        activity.logger.info("skip %s: already sent", key)
        return False
    context = {**context, MESSAGE_KEY: key}
    if attachments and getattr(notifier, "attaches", False):
        subject = await notifier.send(to, template, context, attachments)  # type: ignore[call-arg]
    else:
        subject = await notifier.send(to, template, context)
    await asyncio.to_thread(_record_sent, engine, key, case_id, notifier.channel, to, subject)
    activity.logger.info("sent %s by %s to %s", template, notifier.channel, to)
    return True


async def send_direct(settings: Settings, engine: Engine, key: str, to: str, template: str, context: dict) -> bool:
    """Idempotent e-mail outside a workflow (e.g. account verification); True when sent now."""
    return await _send_once(engine, EmailNotifier(settings), key, to, template, context)


# ---- the activity --------------------------------------------------------------------------


def resolve_recipients(engine: Engine, recipients: Recipients) -> list[Addressee]:
    """The users (first, so that they keep their names), then the bare addresses and numbers."""
    with session_scope(engine) as session:
        users = list(session.exec(select(User).where(col(User.id).in_(recipients.user_ids)))) if recipients.user_ids else []
        # Roles are scoped to one agency: without one, a role must not reach every Dinas.
        if recipients.roles and recipients.agency:
            query = select(User).where(col(User.role).in_(recipients.roles), User.agency == recipients.agency)
            users += list(session.exec(query))
    return [
        *(Addressee(u.name, u.email, u.phone, account=True) for u in users),
        *(Addressee("", email=e) for e in recipients.emails),
        *(Addressee("", phone=p) for p in recipients.phones),
    ]


def addresses(notifier: Notifier, people: list[Addressee]) -> dict[str, tuple[str, Addressee]]:
    """Channel address, lowercased -> (address, person): one message per address, the first person kept."""
    found: dict[str, tuple[str, Addressee]] = {}
    for person in people:
        address = notifier.address(person)
        if address:
            found.setdefault(address.lower(), (address, person))
    return found


def default_notifiers(settings: Settings, engine: Engine | None = None) -> list[Notifier]:
    from activities.whatsapp import whatsapp_notifier  # it builds on this module

    whatsapp = whatsapp_notifier(settings)
    return [EmailNotifier(settings, engine), *([whatsapp] if whatsapp else [])]


async def _heartbeat() -> None:
    # Not at once: a send that ends within HEARTBEAT_EVERY (nearly all of them) costs the server no
    # heartbeat call. The heartbeat timeout counts from the activity's start either way.
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY)
        activity.heartbeat()


def _first_failure(failures: list[BaseException]) -> BaseException:
    """What a batch with failed messages raises once every other message had its go: a failure worth
    retrying first (a retry skips what was sent), a failure for good only when nothing else failed."""
    retryable = [f for f in failures if not (isinstance(f, ApplicationError) and f.non_retryable)]
    return (retryable or failures)[0]


class NotifyActivities:
    def __init__(self, settings: Settings, engine: Engine, notifiers: list[Notifier] | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.notifiers = default_notifiers(settings, engine) if notifiers is None else notifiers

    @activity.defn(name=EngineActivity.SEND_NOTICE)
    async def send_notice(self, notice: Notice) -> int:
        """Sends the notice to each recipient once; returns how many were sent by this call."""
        return await self._send_all([notice])

    @activity.defn(name=EngineActivity.SEND_NOTICES)
    async def send_notices(self, notices: list[Notice]) -> int:
        """The notices of one workflow transition in one activity (workflows/sop.py NOTICE_BATCH_PATCH): each
        keeps its own key per recipient and channel, so a retried batch sends only what is still unsent, and
        a recipient that fails holds none of the others. Returns how many were sent by this call."""
        return await self._send_all(notices)

    async def _send_all(self, notices: Sequence[Notice]) -> int:
        failures: list[BaseException] = []
        beating = asyncio.create_task(_heartbeat())
        try:
            sent = 0
            for notice in notices:
                try:
                    template_of("email", f"{notice.template}.subject.txt", notice.context.get("sop"))
                except TemplateNotFound:
                    # Retrying cannot fix a missing template; fail the activity for good.
                    failures.append(ApplicationError(f"unknown e-mail template {notice.template!r}",
                                                     non_retryable=True))
                    continue
                people = await asyncio.to_thread(resolve_recipients, self.engine, notice.recipients)
                for notifier in self.notifiers:
                    if notifier.handles(notice.template):
                        sent += await self._send_by(notifier, notice, people, failures)
        finally:
            beating.cancel()
        if failures:
            raise _first_failure(failures)
        return sent

    async def _send_by(self, notifier: Notifier, notice: Notice, people: list[Addressee],
                       failures: list[BaseException]) -> int:
        targets = addresses(notifier, people)
        if not targets and notifier.channel == "email":
            activity.logger.warning("notice %s has no recipients", notice.key)
        sent = 0
        for key_address, (address, person) in targets.items():
            key = f"{notice.key}/{notifier.channel}/{key_address}"
            context = {**notice.context, "recipient_name": person.name, PUBLIC_LINK: not person.account}
            try:
                sent += await _send_once(self.engine, notifier, key, address, notice.template, context,
                                         notice.case_id, notice.attachments)
            except Exception as failure:  # the others still go; the activity fails (and is retried) after them
                activity.logger.warning("notice %s to %s by %s failed: %s", notice.key, address, notifier.channel,
                                        failure)
                failures.append(failure)
        return sent
