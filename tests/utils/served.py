"""An app under a real uvicorn server on a free loopback port, for what only a real socket shows."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from tests.conftest import free_port


@contextmanager
def served(app: FastAPI, log_level: str = "warning") -> Iterator[str]:
    """Yields the server's base URL once it answers; stops it afterwards."""
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/api/v1/sops", timeout=1)
            break
        except httpx.TransportError:
            threading.Event().wait(0.05)
    try:
        yield url
    finally:
        running.should_exit = True
        thread.join(timeout=10)
