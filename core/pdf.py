"""Letters and reports as PDF: a Jinja2 template under templates/documents/, rendered by WeasyPrint.

Deterministic: the same template and context give the same bytes, so a generated document can be
rendered again from what its row recorded (core.generated) and still match its digest. WeasyPrint
writes no creation date of its own; the document's date comes from the context (`date`), and the
PDF's file identifier is a digest of the template name and the context.
"""

import hashlib
import json
import logging
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from core.roles import AGENCIES, ZONE_NAMES, agency_timezone
from templates import folder as template_folder

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
          "Agustus", "September", "Oktober", "November", "Desember")
FOLDER = "documents"

# WeasyPrint reports every CSS property it does not know at WARNING; our templates are ours.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def _moment(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:  # stored values are UTC; never guess local time
        value = value.replace(tzinfo=timezone.utc)
    return value


def _local(value: datetime | date | str | None, agency: str | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(agency_timezone(agency)))
    return moment


@pass_context
def tanggal(context: Context, value: datetime | date | str | None) -> str:
    """'17 Agustus 2026', the date in the case's agency's zone."""
    moment = _local(value, context.get("agency"))
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else ""


@pass_context
def hari_tanggal(context: Context, value: datetime | date | str | None) -> str:
    """'Senin, 17 Agustus 2026'."""
    moment = _local(value, context.get("agency"))
    return f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else ""


@pass_context
def pukul(context: Context, value: datetime | str | None) -> str:
    """'09.00 WIB', the time in the case's agency's zone."""
    moment = _local(value, context.get("agency"))
    if not isinstance(moment, datetime):
        return ""
    zone = agency_timezone(context.get("agency"))
    return f"{moment:%H.%M} {ZONE_NAMES.get(zone, moment.tzname() or zone)}"


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(template_folder(FOLDER)),
        autoescape=select_autoescape(["html"]),
        undefined=ChainableUndefined,  # a field the caller left out prints empty, it does not fail the letter
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=tanggal, hari_tanggal=hari_tanggal, pukul=pukul)
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    agency = AGENCIES.get(context.get("agency") or "")
    return environment().get_template(f"{template}.html").render(
        {"agency_name": agency.name if agency else "", **context}
    )


def fingerprint(template: str, context: dict[str, Any]) -> str:
    """A digest of what a document is made of (its PDF file identifier)."""
    canonical = json.dumps([template, context], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of templates/documents/<template>.html; the same input gives the same bytes."""
    from weasyprint import HTML, URLFetcher  # loads pango: only where PDFs are made

    html = render_html(template, context)
    # Stylesheets or images shipped beside the templates, and data: URLs; never the network.
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, base_url=str(template_folder(FOLDER)), url_fetcher=fetcher).write_pdf(
        pdf_identifier=fingerprint(template, context)[:32].encode(),
    )
