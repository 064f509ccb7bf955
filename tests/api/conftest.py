"""The API in-process over HTTP (httpx + ASGI), the dev server, a real worker, a SQLite file."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.config import Settings
from core.db import engine_for
from core.models import User
from tests.utils.factories import PASSWORD, make_user
from worker import build_worker


@dataclass
class Api:
    http: httpx.AsyncClient
    engine: Engine
    settings: Settings
    temporal: Client

    async def login(self, user: User) -> dict[str, str]:
        response = await self.http.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def user(self, role: str, agency: str | None = None) -> tuple[User, dict[str, str]]:
        user = make_user(self.engine, role, agency)
        return user, await self.login(user)

    async def decide(self, headers: dict[str, str], case_id: str, step: str, action: str, **extra) -> httpx.Response:
        body = {"step": step, "action": action, **extra}
        return await self.http.post(f"/api/v1/cases/{case_id}/decisions", json=body, headers=headers)


@asynccontextmanager
async def open_api(env: WorkflowEnvironment, settings: Settings, worker: bool = True) -> AsyncIterator[Api]:
    """The API over HTTP in-process, with a worker unless `worker=False` (the test runs its own)."""
    engine = engine_for(settings.database_url)
    app = create_app(settings, temporal_client=env.client)
    async with AsyncExitStack() as stack:
        if worker:
            await stack.enter_async_context(build_worker(env.client, settings, engine))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://alur.test") as http:
            yield Api(http, engine, settings, env.client)


@pytest.fixture
async def api(dev_env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Api]:
    async with open_api(dev_env, settings) as opened:
        yield opened


@pytest.fixture
def settings(database_url: str, settings: Settings) -> Settings:
    """The API tests run on SQLite and, when ALUR_TEST_DATABASE_URL is set, on PostgreSQL too."""
    return settings.model_copy(update={"database_url": database_url})
