"""Request bodies over the limit get a readable 413 over a real socket (no connection reset), whether
they declare their length or not; nothing is stored."""

from collections.abc import Iterator

import httpx
import pytest

from api.main import create_app
from core.config import Settings
from tests.utils.served import served

LIMIT = 1024 * 1024


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, with a 1 MB body limit."""
    with served(create_app(settings.model_copy(update={"max_request_bytes": LIMIT}))) as url:
        yield url


def test_an_upload_too_large_is_answered_not_reset(server: str) -> None:
    body = b"x" * (6 * 1024 * 1024)  # a 6 MB upload, sent without Expect: 100-continue, as browsers do
    files = {"file": ("besar.pdf", body, "application/pdf")}
    response = httpx.post(f"{server}/api/v1/cases/kasus-1/documents", data={"kind": "ktp"}, files=files, timeout=30)
    assert response.status_code == 413
    assert response.json()["detail"] == "Ukuran kiriman melebihi batas 1 MB"


def test_a_body_without_a_length_is_counted(server: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"{" + b" " * 64 * 1024

    response = httpx.post(f"{server}/api/v1/auth/register", content=chunks(),
                          headers={"content-type": "application/json"}, timeout=30)
    assert response.status_code == 413 and "content-length" not in response.request.headers


def test_a_body_within_the_limit_passes(server: str) -> None:
    response = httpx.post(f"{server}/api/v1/auth/register", json={"name": "x"}, timeout=30)
    assert response.status_code == 422  # the form speaks, not the limit
