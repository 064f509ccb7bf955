"""Development mail sink for `alur dev`: an SMTP server that keeps messages instead of delivering them.

Messages are kept in memory and appended as JSON lines to a file, so the API (another process)
can show them on /dev/mail through `read_mailbox`.
"""

import hashlib
import json
import threading
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from core.models import utcnow

KEEP = 200


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    """filename, content_type, method (text/calendar), size and sha256; text attachments (an .ics) whole."""
    found = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True) or b""
        item = {"filename": part.get_filename() or "", "content_type": part.get_content_type(),
                "method": part.get_param("method") or "", "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest()}
        if part.get_content_maintype() == "text":
            item["text"] = content.decode(part.get_content_charset() or "utf-8", errors="replace")
        found.append(item)
    return found


def parse_message(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict[str, Any]:
    """One stored message: to, from, subject, text, html, attachments, received_at (ISO, UTC)."""
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    return {
        "to": ", ".join(rcpt_tos),
        "from": mail_from,
        "subject": str(message.get("Subject", "")),
        "message_id": str(message.get("Message-ID", "")),
        "text": _body(message, "plain"),
        "html": _body(message, "html"),
        "attachments": _attachments(message),
        "received_at": utcnow().isoformat(),
    }


class _Handler:
    def __init__(self, sink: "MailSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.sink.store(parse_message(raw, envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(self, path: str | Path, host: str = "127.0.0.1", port: int = 1025, keep: int = KEEP) -> None:
        self.path = Path(path)
        self.host = host
        self.port = port
        self._messages: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()  # the SMTP server runs in its own thread
        self._controller = Controller(_Handler(self), hostname=host, port=port)

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def store(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(message)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(message, ensure_ascii=False) + "\n")

    def messages(self) -> list[dict[str, Any]]:
        """Messages received by this sink, newest first."""
        with self._lock:
            return list(reversed(self._messages))


def read_mailbox(path: str | Path, limit: int = KEEP) -> list[dict[str, Any]]:
    """The last `limit` messages in a sink's file, newest first; [] when nothing was received yet."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    messages = []
    for line in reversed(lines):
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:  # a line still being written by the sink
            continue
        if len(messages) >= limit:
            break
    return messages
