"""The shared page layer: templates, the session cookie, CSRF, page errors, and who is logged in.

Every SOP's pages build on this: make a router with `page_router()`, take the user with `PageUser`
(or `OptionalUser`), a POSTed form with `CheckedForm`, answer with `render(...)` or `redirect(...)`.
An ApiError (or HTTPException) raised in a page handler becomes an Indonesian error page;
a 401 becomes a redirect to the login page.
"""

import re
import secrets
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from activities.notify import rupiah, tanggal_here
from api.deps import user_from_token
from api.pages import labels
from api.errors import ApiError
from core.config import Settings
from core.models import User
from core.roles import is_staff
from core.security import csrf_token, csrf_valid
from templates import folder as template_folder

TEMPLATES = template_folder("web")
SESSION_COOKIE = "alur_session"  # the signed ACCESS token, as the API issues it
PRESESSION_COOKIE = "alur_pra"  # random; binds the CSRF token of forms shown before login
PRESESSION_SECONDS = 24 * 3600
CSRF_REFUSED = "Formulir tidak sah atau sudah kedaluwarsa. Muat ulang halaman lalu coba lagi."
LOGIN_NEEDED = "Silakan masuk terlebih dahulu"
STAFF_ONLY = "Halaman ini hanya untuk petugas Dinas"
_UNSET = object()


# ---- templates -----------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str | None) -> Markup:
    """Plain text with its URLs made clickable (escaped first, so no markup gets through)."""
    escaped = str(escape(text or ""))
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


@lru_cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(tanggal=tanggal_here, rupiah=rupiah, linkify=linkify)
    env.globals.update(labels.as_globals())
    return env


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def db(request: Request) -> Session:
    """A database session for one page (use as a context manager)."""
    return Session(request.app.state.engine, expire_on_commit=False)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from templates/web with the user, the CSRF token and the settings in its context."""
    settings = settings_of(request)
    basis, fresh = csrf_basis(request)
    html = environment().get_template(template).render(
        request=request, user=page_user(request), settings=settings,
        csrf=csrf_token(settings.secret_key, basis), **context,
    )
    # Pages hold personal data and CSRF tokens: not kept in caches (framing: api.headers, on every response).
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if fresh:
        set_cookie(response, settings, PRESESSION_COOKIE, fresh, PRESESSION_SECONDS)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """Only a path on this site: `//host`, `/\\host` and absolute URLs would send the user elsewhere."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    parts = urlsplit(url)
    return url if not parts.scheme and not parts.netloc and url.isprintable() else default


# ---- session and CSRF ----------------------------------------------------------------------


def secure_cookies(settings: Settings) -> bool:
    """Cookies only over HTTPS, except on a development machine (and the test suite) over plain HTTP."""
    return settings.env not in ("development", "test") or settings.base_url.startswith("https://")


def cookie_name(settings: Settings, name: str) -> str:
    """`__Host-` where cookies are secure: the browser then also refuses it from a subdomain or another path."""
    return f"__Host-{name}" if secure_cookies(settings) else name


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(cookie_name(settings, name), value, max_age=max_age, httponly=True, samesite="lax",
                        path="/", secure=secure_cookies(settings))


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(cookie_name(settings, name), path="/", secure=secure_cookies(settings), httponly=True,
                           samesite="lax")


def read_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie_name(settings_of(request), name))


def page_user(request: Request) -> User | None:
    """The logged-in, verified user from the session cookie; read once per request."""
    cached = getattr(request.state, "page_user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    token = read_cookie(request, SESSION_COOKIE)
    user = None
    if token:
        with db(request) as session:
            user = user_from_token(session, settings_of(request), token)
    request.state.page_user = user
    return user


def csrf_basis(request: Request) -> tuple[str, str | None]:
    """What a form's CSRF token is bound to: the session cookie, or before login a pre-session cookie.

    Returns (basis, a new pre-session cookie value to set, or None).
    """
    session_token = read_cookie(request, SESSION_COOKIE)
    if session_token:
        return session_token, None
    presession = read_cookie(request, PRESESSION_COOKIE)
    if presession:
        return "pre:" + presession, None
    fresh = secrets.token_urlsafe(24)
    return "pre:" + fresh, fresh


def optional_user(request: Request) -> User | None:
    return page_user(request)


async def checked_form(request: Request, _user: Annotated[User | None, Depends(optional_user)]) -> FormData:
    """The POSTed form, after its CSRF token was checked against the cookie: 403 otherwise.
    The user is read first (in a thread), so that pages rendered by async handlers need no query."""
    form = await request.form()
    basis, fresh = csrf_basis(request)
    candidate = form.get("csrf")
    if fresh or not isinstance(candidate, str) or not csrf_valid(settings_of(request).secret_key, basis, candidate):
        raise ApiError(403, CSRF_REFUSED)
    return form


def required_user(request: Request) -> User:
    user = page_user(request)
    if user is None:
        raise ApiError(401, LOGIN_NEEDED)
    return user


def staff_page_user(user: Annotated[User, Depends(required_user)]) -> User:
    if not is_staff(user.role):
        raise ApiError(403, STAFF_ONLY)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
PageUser = Annotated[User, Depends(required_user)]
StaffPage = Annotated[User, Depends(staff_page_user)]
CheckedForm = Annotated[FormData, Depends(checked_form)]


# ---- errors --------------------------------------------------------------------------------


def messages(detail: Any) -> list[str]:
    """ApiError/HTTPException detail (a text, or FastAPI's list of {"msg": ...}) as Indonesian lines."""
    if isinstance(detail, list):
        return [str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail]
    return [str(detail)]


def error_page(request: Request, status: int, detail: Any) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        suffix = f"?next={quote(target, safe='')}" if request.method == "GET" else ""
        return redirect(f"/masuk{suffix}")
    return render(request, "error.html", status=status, status_code=status, messages=messages(detail))


class PageRoute(APIRoute):
    """A page route: refusals become Indonesian HTML pages instead of the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as error:
                status, detail = error.status, error.detail
            except HTTPException as error:
                status, detail = error.status_code, error.detail
            except RequestValidationError:
                status, detail = 422, "Alamat halaman atau isian tidak valid"
            await run_in_threadpool(page_user, request)  # the page's header names the user: a query
            return error_page(request, status, detail)

        return page_handler


def page_router() -> APIRouter:
    """A router for pages: HTML errors, kept out of the API's OpenAPI schema."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
