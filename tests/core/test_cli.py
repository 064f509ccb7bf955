"""The `alur` command as an operator runs it: users add with the password on stdin, bad settings."""

import os
import subprocess
import sys
from pathlib import Path

from core.db import engine_for
from core.security import verify_password
from core.users import find_user

ALUR = [sys.executable, "-m", "core.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*ALUR, *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=60)


def test_users_add_reads_the_password_from_stdin(sqlite_url: str) -> None:
    env = {"ALUR_DATABASE_URL": sqlite_url}
    done = run(["users", "add", "--email", "Satpel@DKI.go.id", "--name", "Bu Satpel", "--role", "satpel",
                "--agency", "dki"], env, "kata-sandi-kuat\n")
    assert done.returncode == 0, done.stderr
    user = find_user(engine_for(sqlite_url), "satpel@dki.go.id")
    assert user.role == "satpel" and user.agency == "dki" and user.verified
    assert verify_password(user.password_hash, "kata-sandi-kuat")

    again = run(["users", "add", "--email", "satpel@dki.go.id", "--name", "X", "--role", "satpel",
                 "--agency", "dki"], env, "kata-sandi-kuat\n")
    assert again.returncode != 0 and "already registered" in again.stderr


def test_users_add_refuses_staff_without_agency(sqlite_url: str) -> None:
    done = run(["users", "add", "--email", "a@b.id", "--name", "A", "--role", "pjlp"],
               {"ALUR_DATABASE_URL": sqlite_url}, "kata-sandi-kuat\n")
    assert done.returncode != 0 and "staff need an agency" in done.stderr


def test_a_bad_setting_stops_start_up_with_one_line(sqlite_url: str) -> None:
    done = run(["migrate"], {"ALUR_DATABASE_URL": sqlite_url, "ALUR_SMTP_PORT": "not-a-port"})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "alur: invalid setting ALUR_SMTP_PORT: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_production_refuses_the_development_secret(sqlite_url: str) -> None:
    done = run(["migrate"], {"ALUR_DATABASE_URL": sqlite_url, "ALUR_ENV": "production"})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "alur: invalid configuration: ALUR_SECRET_KEY must be set to 32+ random characters in production"
    ]
