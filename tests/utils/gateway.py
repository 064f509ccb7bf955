"""A real local HTTP server standing in for a WhatsApp gateway: it records every request."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def fields(self) -> dict[str, str]:
        """The form or JSON fields of the request."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.body)
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Gateway:
    """Answers `answers` in turn (then the last one again): (status, JSON body)."""

    answers: list[tuple[int, dict]] = field(default_factory=lambda: [(200, {"status": True})])
    received: list[Received] = field(default_factory=list)

    def start(self) -> "Gateway":
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                gateway.received.append(Received(self.path, headers, body))
                status, answer = gateway.answers[min(len(gateway.received), len(gateway.answers)) - 1]
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages_to(self, phone: str) -> list[str]:
        return [r.fields.get("message", "") for r in self.received if phone in r.fields.values()]


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    """A local WhatsApp gateway that records what it receives (registered in tests/conftest.py)."""
    server = Gateway().start()
    yield server
    server.stop()
