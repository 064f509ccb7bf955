"""`alur users purge-unverified` as an operator runs it (daily, from cron or a timer)."""

from datetime import timedelta

from sqlmodel import Session

from core.db import engine_for
from core.models import User, utcnow
from core.users import create_user, find_user
from tests.core.test_cli import run


def test_purge_unverified_removes_expired_accounts_only(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    old = create_user(engine, email="lama@contoh.id", name="Lama", role="umkm", password="kata-sandi-kuat",
                      verified=False)
    create_user(engine, email="baru@contoh.id", name="Baru", role="umkm", password="kata-sandi-kuat", verified=False)
    with Session(engine) as session:
        stored = session.get(User, old.id)
        stored.created_at = utcnow() - timedelta(days=3)
        session.add(stored)
        session.commit()

    kept = run(["users", "purge-unverified"], {"ALUR_DATABASE_URL": sqlite_url})
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == "removed 0 account(s) not verified within 7 days"
    done = run(["users", "purge-unverified"], {"ALUR_DATABASE_URL": sqlite_url, "ALUR_UNVERIFIED_TTL_DAYS": "2"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "removed 1 account(s) not verified within 2 days"
    assert find_user(engine, "lama@contoh.id") is None and find_user(engine, "baru@contoh.id") is not None
