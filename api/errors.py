"""Refusals as the API and the pages give them: ApiError(status, detail); the API answers JSON, the
pages an Indonesian page."""

from typing import Any

RETRY_AFTER_SECONDS = 30
BUSY = "Server sedang sibuk; coba lagi sebentar lagi"


class ApiError(Exception):
    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def retry_later(message: str) -> ApiError:
    """503 with Retry-After: not now, try again (Temporal or the database did not answer in time)."""
    return ApiError(503, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
