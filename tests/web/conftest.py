"""The pages over HTTP: in-process (httpx + ASGI) for page checks, a real uvicorn server for the browser.

Both run a real worker on the Temporal dev server and send e-mail to the session's mail sink.
"""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from api.main import create_app
from core.config import Settings
from core.db import engine_for
from core.models import User
from tests.api.conftest import Api
from tests.conftest import free_port
from tests.utils.factories import PASSWORD, make_user
from tests.utils.waiting import eventually
from worker import build_worker

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


@dataclass
class Site:
    """The app in-process; each `browser()` is one visitor with its own cookies."""

    app: Any
    engine: Engine
    settings: Settings

    def browser(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://alur.test")

    async def post_form(self, client: httpx.AsyncClient, page: str, action: str, data: dict) -> httpx.Response:
        """Opens `page`, then posts `data` to `action` with that page's CSRF token, as a browser would."""
        token = csrf_of((await client.get(page)).text)
        return await client.post(action, data={"csrf": token, **data})

    @asynccontextmanager
    async def logged_in(self, user: User) -> AsyncIterator[httpx.AsyncClient]:
        async with self.browser() as client:
            response = await self.post_form(client, "/masuk", "/masuk", {"email": user.email, "password": PASSWORD})
            assert response.status_code == 303, response.text
            yield client

    def user(self, role: str, agency: str | None = None, **extra: Any) -> User:
        return make_user(self.engine, role, agency, **extra)


@pytest.fixture
async def site(dev_env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Site]:
    engine = engine_for(settings.database_url)
    async with build_worker(dev_env.client, settings, engine):
        yield Site(create_app(settings, temporal_client=dev_env.client), engine, settings)


@pytest.fixture
async def api(site: Site) -> AsyncIterator[Api]:
    """The JSON API of the same app, to set cases up for the pages."""
    async with site.browser() as http:
        yield Api(http, site.engine, site.settings, None)  # type: ignore[arg-type]  # pages need no client


@dataclass
class LiveSite:
    url: str
    engine: Engine
    settings: Settings


@pytest.fixture
async def live_site(dev_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink,
                    tmp_path: Path) -> AsyncIterator[LiveSite]:
    """A real uvicorn server in development mode, so /dev/mail shows the session mail sink."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings.model_copy(update={"env": "development", "base_url": url})
    (settings.var_dir / "mail").symlink_to(mail_sink.path.parent, target_is_directory=True)
    engine = engine_for(settings.database_url)
    app = create_app(settings, temporal_client=dev_env.client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    async with build_worker(dev_env.client, settings, engine):
        serving = asyncio.create_task(server.serve())
        await eventually(lambda: server.started or serving.done())
        if serving.done():
            serving.result()  # start-up failed: raise its error here
        try:
            yield LiveSite(url, engine, settings)
        finally:
            server.should_exit = True
            await serving


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
