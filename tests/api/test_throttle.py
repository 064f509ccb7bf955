"""Login backoff: five failures in a row, then a wait that doubles, per account and per address."""

from api.throttle import LoginThrottle
from tests.api.conftest import Api
from tests.utils.factories import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_after_five_failures_and_a_success_clears_the_account() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(5):
        assert throttle.wait("account:a", "address:x") == 0
        throttle.failed("account:a", "address:x")
    assert throttle.wait("account:a") == 2 and throttle.wait("address:x") == 2
    clock.now += 2
    throttle.failed("account:a", "address:x")
    assert throttle.wait("account:a") == 4  # doubled
    assert throttle.wait("account:b", "address:x") == 4  # the address waits for every account
    throttle.succeeded("account:a")
    assert throttle.wait("account:a") == 0


def test_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_keys=3)
    for n in range(10):
        throttle.failed(f"address:{n}")
    assert len(throttle._failures) == 3


async def test_too_many_failed_logins_get_429_even_with_the_right_password(api: Api) -> None:
    user, _ = await api.user("umkm")
    for _ in range(5):
        wrong = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": "salah-terus"})
        assert wrong.status_code == 401
    blocked = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert "Terlalu banyak percobaan" in blocked.json()["detail"]


def test_account_mails_are_limited_per_email_and_per_client_address() -> None:
    from api.accounts import MAILS_PER_CLIENT, MAILS_PER_EMAIL, forget_throttles, may_mail

    forget_throttles()
    assert [may_mail("reset", "a@contoh.id", "10.0.0.1") for _ in range(MAILS_PER_EMAIL + 1)] == \
        [True] * MAILS_PER_EMAIL + [False]
    assert may_mail("verify", "a@contoh.id", "10.0.0.1")  # another kind of e-mail counts on its own
    sent = sum(may_mail("reset", f"{n}@contoh.id", "10.0.0.2") for n in range(MAILS_PER_CLIENT + 5))
    assert sent == MAILS_PER_CLIENT  # one client cannot mail everyone
    assert may_mail("reset", "b@contoh.id", "10.0.0.3")
