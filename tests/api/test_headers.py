"""Security headers on every response, errors included; no interactive docs in production."""

import httpx
import pytest

from api.main import create_app
from core.config import Settings


async def get(settings: Settings, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://alur.test") as http:
        return await http.get(path)


@pytest.mark.parametrize("path", ["/api/v1/sops", "/api/v1/cases", "/api/v1/catalogue/gallery?page=0",
                                  "/tidak-ada", "/masuk"])
async def test_every_response_carries_the_security_headers(settings: Settings, path: str) -> None:
    response = await get(settings, path)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_docs_only_outside_production(settings: Settings) -> None:
    assert (await get(settings, "/docs")).status_code == 200
    production = settings.model_copy(update={"env": "production"})
    assert (await get(production, "/docs")).status_code == 404
    assert (await get(production, "/api/v1/openapi.json")).status_code == 200
