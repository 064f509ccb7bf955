"""Login backoff: five failures in a row, then a wait that doubles, per account and per address; counted
in the database, forgotten after a day without failures."""

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.throttle import FORGET_AFTER, LoginThrottle
from core.models_limits import LoginFailures
from tests.api.conftest import Api
from tests.utils.factories import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_doubles_after_five_failures_and_a_success_clears_the_account(engine: Engine) -> None:
    clock = Clock()
    throttle = LoginThrottle(engine, clock=clock)
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


def test_a_day_without_failures_forgets_them_and_their_rows_are_deleted(engine: Engine) -> None:
    clock = Clock()
    throttle = LoginThrottle(engine, clock=clock, sweep_every=600)
    for _ in range(7):
        throttle.failed("account:a")
    for n in range(10):
        throttle.failed(f"address:{n}")
    clock.now += FORGET_AFTER
    assert throttle.failed("account:a") == 1  # starts again from none, whether or not swept yet
    with Session(engine) as session:
        assert [row.key for row in session.exec(select(LoginFailures))] == ["account:a"]  # the others swept


async def test_too_many_failed_logins_get_429_even_with_the_right_password(api: Api) -> None:
    user, _ = await api.user("umkm")
    for _ in range(5):
        wrong = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": "salah-terus"})
        assert wrong.status_code == 401
    blocked = await api.http.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert "Terlalu banyak percobaan" in blocked.json()["detail"]


def test_account_mails_are_limited_per_email_and_per_client_address(engine: Engine) -> None:
    from api.accounts import MAILS_PER_CLIENT, MAILS_PER_EMAIL, may_mail

    assert [may_mail(engine, "reset", "a@contoh.id", "10.0.0.1") for _ in range(MAILS_PER_EMAIL + 1)] == \
        [True] * MAILS_PER_EMAIL + [False]
    assert may_mail(engine, "verify", "a@contoh.id", "10.0.0.1")  # another kind of e-mail counts on its own
    sent = sum(may_mail(engine, "reset", f"{n}@contoh.id", "10.0.0.2") for n in range(MAILS_PER_CLIENT + 5))
    assert sent == MAILS_PER_CLIENT  # one client cannot mail everyone
    assert may_mail(engine, "reset", "b@contoh.id", "10.0.0.3")
