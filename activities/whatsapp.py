"""WhatsApp notices through an HTTP gateway (Fonnte, Wablas, Woowa... set by ALUR_WHATSAPP_*).

A notice goes out on WhatsApp when templates/whatsapp/<template>.txt exists and the recipient has a
mobile number. Failures raise, so the activity is retried with the engine's backoff (NOTIFY_RETRY);
the notification keys keep a retry from sending twice.
"""

import logging
from typing import Any

import httpx
from jinja2 import TemplateNotFound

from activities.notify import Addressee, environment, template_of, with_link
from core.config import Settings
from core.identifiers import IdentifierError, normalize_phone

log = logging.getLogger(__name__)
TIMEOUT = 30.0
CHANNEL = "whatsapp"


class GatewayError(RuntimeError):
    """The gateway refused or failed; retryable (a token fixed, a gateway back up)."""


def render_whatsapp(template: str, context: dict) -> str:
    return template_of(CHANNEL, f"{template}.txt", context.get("sop")).render(with_link(context)).strip()


def gateway_request(settings: Settings, phone: str, text: str) -> dict[str, Any]:
    """httpx arguments in the configured gateway's shape: where the token goes, field names, form or JSON."""
    fields = {settings.whatsapp_phone_field: phone, settings.whatsapp_message_field: text}
    headers = {}
    if settings.whatsapp_token:
        if settings.whatsapp_token_in == "header":
            headers[settings.whatsapp_token_name] = settings.whatsapp_token
        else:
            fields[settings.whatsapp_token_name] = settings.whatsapp_token
    body = {"json": fields} if settings.whatsapp_body == "json" else {"data": fields}
    return {"headers": headers, **body}


def refusal(response: httpx.Response) -> str | None:
    """Why the gateway did not send: an HTTP error, or a 200 whose JSON says {"status": false}."""
    if response.status_code >= 400:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        answer = response.json()
    except ValueError:
        return None
    if isinstance(answer, dict) and answer.get("status") is False:
        return str(answer.get("reason") or answer.get("message") or answer)[:200]
    return None


class WhatsAppNotifier:
    channel = CHANNEL

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def handles(self, template: str) -> bool:
        try:
            environment(CHANNEL).get_template(f"{template}.txt")
        except TemplateNotFound:
            return False
        return True

    def address(self, person: Addressee) -> str | None:
        if not person.phone:
            return None
        try:
            return normalize_phone(person.phone)
        except IdentifierError:
            log.warning("not a mobile number, no WhatsApp: %r", person.phone)
            return None

    async def send(self, to: str, template: str, context: dict) -> str:
        text = render_whatsapp(template, {**context, "base_url": self.settings.base_url})
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(self.settings.whatsapp_url or "", **gateway_request(self.settings, to, text))
        problem = refusal(response)
        if problem:
            raise GatewayError(f"WhatsApp gateway refused the message to {to}: {problem}")
        return text.splitlines()[0]


def whatsapp_notifier(settings: Settings) -> WhatsAppNotifier | None:
    """None while ALUR_WHATSAPP_URL is unset: WhatsApp is off, and that is no error."""
    if not settings.whatsapp_url:
        log.info("WhatsApp notices off: ALUR_WHATSAPP_URL is not set")
        return None
    return WhatsAppNotifier(settings)
