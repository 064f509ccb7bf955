"""`alur users add` creates the complaint officer and the back office, staff of one agency each."""

from core.db import engine_for
from core.users import find_user
from tests.core.test_cli import run


def test_users_add_creates_the_complaints_officer_and_the_back_office(sqlite_url: str) -> None:
    env = {"ALUR_DATABASE_URL": sqlite_url}
    for role, agency in (("pengelola_pengaduan", "jombang"), ("back_office", "sijunjung")):
        done = run(["users", "add", "--email", f"{role}@{agency}.go.id", "--name", role, "--role", role,
                    "--agency", agency], env, "kata-sandi-kuat-sekali\n")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith(f"({role}, {agency})")
        user = find_user(engine_for(sqlite_url), f"{role}@{agency}.go.id")
        assert user is not None and (user.role, user.agency) == (role, agency)
    no_agency = run(["users", "add", "--email", "x@y.id", "--name", "X", "--role", "pengelola_pengaduan"], env,
                    "kata-sandi-kuat-sekali\n")
    assert no_agency.returncode != 0 and "staff need an agency" in no_agency.stderr
