"""A limit on request bodies for the whole app, counted as the bytes arrive (Content-Length is a claim).

An oversized body gets a readable 413 in Indonesian. The rest of the body is read and dropped first
(up to DRAIN_BYTES more): a server that answers and closes while the client is still sending resets
the connection, and the client would see that instead of the answer.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 64 * 1024 * 1024
MESSAGE = "Ukuran kiriman melebihi batas {mb} MB"


class BodyTooLarge(BaseException):
    """Not an Exception: the frameworks' body parsers turn those into a 400; this must reach BodyLimit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(receive, send, already=0)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(receive, send, already=received)

    async def _refuse(self, receive: Receive, send: Send, already: int) -> None:
        drained = already
        while drained <= self.max_bytes + DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = json.dumps({"detail": MESSAGE.format(mb=round(self.max_bytes / 1024 / 1024))}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
