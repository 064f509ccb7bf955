"""The supervisors' pages (issue 13): the dashboard (/dasbor) with its charts drawn on the server as
inline SVG (no JavaScript) and a table under each, the stuck cases (/dasbor/macet) and the exports
(/dasbor/ekspor/...), for supervisor, kepala_dinas and kepala_bidang of their own agency."""

from datetime import date
from typing import Literal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from api.dashboard import NOT_ALLOWED, agency_sops, load_dashboard, load_stuck, may_see_dashboard
from api.errors import ApiError
from api.pages.web import PageUser, db, messages, page_router, render, settings_of
from api.routes.exports import export_response
from core.dashboard import SopFigures
from core.models import User
from workflows import SOPS

router = page_router()
EXPORTS = {"kasus.csv": ("cases", "csv"), "kasus.xlsx": ("cases", "xlsx"), "kepatuhan.csv": ("compliance", "csv"),
           "kepatuhan.xlsx": ("compliance", "xlsx")}
BAD_DATE = "Tanggal tidak valid; gunakan format TTTT-BB-HH"
# Chart geometry, in SVG units: the drawing scales to the screen's width (a phone's ~360 px: 1:1).
WIDTH, ROW, BAR = 320, 48, 12
GREEN, GREY = "#0f6b5c", "#9aa5b1"


def supervisor(user: User) -> User:
    if not may_see_dashboard(user):
        raise ApiError(403, NOT_ALLOWED)
    return user


def parse_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[field] = BAD_DATE
        return None


def sop_choices(request: Request, user: User) -> list[tuple[str, str]]:
    with db(request) as session:
        return [(s, SOPS[s].title) for s in agency_sops(session, user)]


# ---- charts ------------------------------------------------------------------------------------


def _svg(height: int, title: str, body: list[str]) -> Markup:
    label = escape(title)
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{label}" '
                  f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(body)}</svg>')


def on_time_chart(sop: SopFigures) -> Markup:
    """Per step with a time standard: a bar of its on-time share (0-100 %), its median against the standard
    written beside it. Steps without a standard are in the table only."""
    steps = [s for s in sop.steps if s.standard is not None]
    body = []
    for n, s in enumerate(steps):
        y = n * ROW
        share = s.on_time_percent
        shown = "belum ada yang selesai" if share is None else f"{share:g}% tepat waktu"
        # Working time without the word "kerja", to fit a phone's width (the table says it in full).
        times = [f"median {s.median.text.removesuffix(' kerja')}" if s.median else "",
                 f"standar {s.standard.text.removesuffix(' kerja')}"]  # type: ignore[union-attr]
        body.append(f'<text x="0" y="{y + 13}" font-size="13" fill="#1f2933">{escape(s.title)}</text>')
        body.append(f'<rect x="0" y="{y + 18}" width="{WIDTH}" height="{BAR}" fill="#e4e7eb"/>')
        if share:
            body.append(f'<rect x="0" y="{y + 18}" width="{WIDTH * share / 100:.1f}" height="{BAR}" fill="{GREEN}"/>')
        body.append(f'<text x="0" y="{y + 43}" font-size="11" fill="#52606d"><tspan font-weight="600" '
                    f'fill="#1f2933">{escape(shown)}</tspan> · {escape(" · ".join(t for t in times if t))}</text>')
    if not steps:
        body.append('<text x="0" y="14" font-size="12" fill="#52606d">Tidak ada langkah dengan standar waktu</text>')
    return _svg(max(len(steps), 1) * ROW + 6, f"Ketepatan waktu per langkah: {sop.title}", body)


def weekly_chart(sop: SopFigures) -> Markup:
    """Per ISO week two bars: cases opened (green) and closed (grey); the week numbers below."""
    weeks, top = sop.weeks, max([1, *(max(w.opened, w.closed) for w in sop.weeks)])
    plot, base = 110, 130
    slot = WIDTH / max(len(weeks), 1)
    bar = max(min(slot * 0.4, 18), 1)
    every = max(1, round(len(weeks) / 8))  # at most ~8 week labels
    body = [f'<rect x="0" y="0" width="10" height="10" fill="{GREEN}"/>',
            '<text x="14" y="9" font-size="11" fill="#1f2933">Masuk</text>',
            f'<rect x="60" y="0" width="10" height="10" fill="{GREY}"/>',
            '<text x="74" y="9" font-size="11" fill="#1f2933">Selesai</text>',
            f'<text x="{WIDTH}" y="9" font-size="10" fill="#52606d" text-anchor="end">maks. {top}</text>',
            f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#9aa5b1" stroke-width="1"/>']
    for n, w in enumerate(weeks):
        x = n * slot + (slot - 2 * bar) / 2
        for offset, count, color in ((0, w.opened, GREEN), (bar, w.closed, GREY)):
            height = plot * count / top
            body.append(f'<rect x="{x + offset:.1f}" y="{base - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                        f'fill="{color}"><title>{escape(w.week)}: {count}</title></rect>')
        if n % every == 0:
            body.append(f'<text x="{n * slot + slot / 2:.1f}" y="{base + 13}" font-size="10" fill="#52606d" '
                        f'text-anchor="middle">{escape(w.week[-3:])}</text>')
    return _svg(base + 18, f"Kasus masuk dan selesai per minggu: {sop.title}", body)


# ---- pages -------------------------------------------------------------------------------------


@router.get("/dasbor")
def dashboard_page(request: Request, user: PageUser, layanan: str = "", dari: str = "", sampai: str = "") -> Response:
    supervisor(user)
    errors: dict[str, str] = {}
    date_from, date_to = parse_day(dari, "dari", errors), parse_day(sampai, "sampai", errors)
    filters = {"layanan": layanan, "dari": dari, "sampai": sampai}
    board, general = None, []
    if not errors:
        try:
            board = load_dashboard(request.app.state.engine, settings_of(request), user, layanan or None, date_from,
                                   date_to)
        except ApiError as error:
            if error.status != 422:
                raise
            general = messages(error.detail)
    query = urlencode({k: v for k, v in {"layanan": layanan, "dari": board.date_from.isoformat() if board else dari,
                                         "sampai": board.date_to.isoformat() if board else sampai}.items() if v})
    charts = {s.sop: (on_time_chart(s), weekly_chart(s)) for s in board.sops} if board else {}
    return render(request, "dashboard.html", status=422 if errors or general else 200, board=board, charts=charts,
                  filters=filters, errors=errors, general=general, query=query, sops=sop_choices(request, user))


@router.get("/dasbor/macet")
def stuck_page(request: Request, user: PageUser, layanan: str = "") -> Response:
    supervisor(user)
    sop = layanan if layanan in SOPS else None
    stuck = load_stuck(request.app.state.engine, settings_of(request), user, sop)
    return render(request, "dashboard_stuck.html", stuck=stuck, filters={"layanan": sop or ""},
                  sops=sop_choices(request, user))


@router.get("/dasbor/ekspor/{name}")
def export_page(request: Request, name: Literal["kasus.csv", "kasus.xlsx", "kepatuhan.csv", "kepatuhan.xlsx"],
                user: PageUser, layanan: str = "", dari: str = "", sampai: str = "") -> Response:
    """The API's exports behind the page session (the links on /dasbor carry its filters)."""
    supervisor(user)
    errors: dict[str, str] = {}
    date_from, date_to = parse_day(dari, "dari", errors), parse_day(sampai, "sampai", errors)
    if errors:
        raise ApiError(422, BAD_DATE)
    kind, fmt = EXPORTS[name]
    return export_response(request.app.state.engine, settings_of(request), user, kind, fmt,  # type: ignore[arg-type]
                           layanan or None, date_from, date_to)
