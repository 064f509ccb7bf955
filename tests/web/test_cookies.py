"""Session cookies: Secure and __Host- prefixed wherever the env is not development (or the site is HTTPS)."""

import httpx

from api.main import create_app
from core.config import Settings
from tests.utils.factories import PASSWORD, make_user
from tests.web.conftest import csrf_of


async def login(client: httpx.AsyncClient, settings: Settings) -> httpx.Response:
    user = make_user(create_app(settings).state.engine, "umkm")
    form = await client.get("/masuk")
    return await client.post("/masuk", data={"csrf": csrf_of(form.text), "email": user.email, "password": PASSWORD})


def browser(settings: Settings, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)), base_url=base_url)


async def test_production_cookies_are_secure_and_host_only(settings: Settings) -> None:
    production = settings.model_copy(update={"env": "production", "secret_key": "k" * 40,
                                             "base_url": "https://alur.example"})
    async with browser(production, "https://alur.example") as client:
        response = await login(client, production)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-alur_session=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "Path=/" in cookie and "Domain" not in cookie
        home = await client.get("/")
        assert "Keluar" in home.text  # the session works under its new name


async def test_development_keeps_plain_cookies_over_http(settings: Settings) -> None:
    development = settings.model_copy(update={"env": "development"})
    async with browser(development, "http://localhost:8000") as client:
        response = await login(client, development)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("alur_session=") and "Secure" not in cookie
