"""What an e-mail carries besides its text: a notice's attachment specs (core.messages.Attachment) made
into MIME parts for one recipient. An invitation is built per recipient (they are its ATTENDEE); a
stored document is read from the upload folder, and a generated one that went missing is rendered again.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from core.config import Settings
from core.generated import document_bytes
from core.ics import invitation
from core.messages import Attachment
from core.roles import AGENCIES, agency_timezone

ICS = "ics"
DOCUMENT = "document"


@dataclass(frozen=True)
class MailPart:
    content: bytes
    maintype: str
    subtype: str
    filename: str
    params: dict[str, str] = field(default_factory=dict)


def _ics(attachment: Attachment, settings: Settings, to: str, name: str, agency: str | None) -> MailPart:
    meeting = attachment.invitation
    if meeting is None:
        raise ApplicationError("an ics attachment needs its invitation", non_retryable=True)
    organizer = meeting.organizer_email or parseaddr(settings.mail_from)[1]
    found = AGENCIES.get(agency or "")
    content = invitation(
        meeting.uid, meeting.starts_at, meeting.ends_at, meeting.summary, meeting.location, meeting.description,
        organizer, organizer_name=found.name if found else "", attendees=[(to, name)], sequence=meeting.sequence,
        zone=meeting.timezone or agency_timezone(agency),
    )
    return MailPart(content, "text", "calendar", attachment.filename or "undangan.ics",
                    {"method": "REQUEST", "charset": "utf-8"})


def _document(attachment: Attachment, upload_dir: Path, engine: Engine | None) -> MailPart:
    if engine is None:
        raise ApplicationError("document attachments need the database (EmailNotifier(settings, engine))",
                               non_retryable=True)
    content = document_bytes(upload_dir, engine, attachment.stored_name)
    maintype, _, subtype = (attachment.content_type or "application/pdf").partition("/")
    return MailPart(content, maintype, subtype, attachment.filename)


def mail_parts(settings: Settings, engine: Engine | None, attachments: Sequence[Attachment], to: str, name: str,
               agency: str | None) -> list[MailPart]:
    parts = []
    for attachment in attachments:
        if attachment.kind == ICS:
            parts.append(_ics(attachment, settings, to, name, agency))
        elif attachment.kind == DOCUMENT:
            parts.append(_document(attachment, settings.upload_dir, engine))
        else:
            raise ApplicationError(f"unknown attachment kind {attachment.kind!r}", non_retryable=True)
    return parts
