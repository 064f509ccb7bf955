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
                "--agency", "dki", "--skpd", "141732"], env, "kata-sandi-kuat\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("(satpel, dki, SKPD 141732)")
    user = find_user(engine_for(sqlite_url), "satpel@dki.go.id")
    assert user.role == "satpel" and user.agency == "dki" and user.unit == "141732" and user.verified
    assert verify_password(user.password_hash, "kata-sandi-kuat")

    again = run(["users", "add", "--email", "satpel@dki.go.id", "--name", "X", "--role", "satpel",
                 "--agency", "dki", "--skpd", "141732"], env, "kata-sandi-kuat\n")
    assert again.returncode != 0 and "already registered" in again.stderr


def test_users_add_checks_the_skpd_of_a_satpel_or_pjlp(sqlite_url: str) -> None:
    env = {"ALUR_DATABASE_URL": sqlite_url}
    base = ["users", "add", "--email", "pjlp@dki.go.id", "--name", "Pak PJLP", "--agency", "dki"]
    unknown = run([*base, "--role", "pjlp", "--skpd", "999999"], env, "kata-sandi-kuat\n")
    assert unknown.returncode != 0
    assert unknown.stderr.strip().splitlines() == [
        "alur: unknown SKPD '999999' for agency dki; listed: 141732 (add one with `alur skpd add`)"]
    missing = run([*base, "--role", "pjlp"], env, "kata-sandi-kuat\n")
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines() == [
        "alur: a pjlp belongs to one SKPD: give --skpd CODE (listed for dki: 141732)"]
    not_theirs = run([*base, "--role", "admin_eorder", "--skpd", "141732"], env, "kata-sandi-kuat\n")
    assert not_theirs.returncode != 0
    assert not_theirs.stderr.strip().splitlines() == ["alur: --skpd is only for satpel and pjlp users"]
    assert find_user(engine_for(sqlite_url), "pjlp@dki.go.id") is None
    done = run([*base, "--role", "pjlp", "--skpd", " 141732 "], env, "kata-sandi-kuat\n")
    assert done.returncode == 0, done.stderr
    assert find_user(engine_for(sqlite_url), "pjlp@dki.go.id").unit == "141732"


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


def test_an_override_for_an_unknown_step_stops_start_up(sqlite_url: str) -> None:
    done = run(["migrate"], {"ALUR_DATABASE_URL": sqlite_url, "ALUR_SLA_OVERRIDES": '{"jathil-vendor.verfy": "2d"}'})
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("alur: invalid setting ALUR_SLA_OVERRIDES: unknown step jathil-vendor.verfy; ")
    assert "jathil-vendor.verify" in line and "gallery-curation.curate_staff" in line


def test_the_development_secret_serves_on_loopback_only(sqlite_url: str) -> None:
    done = run(["api", "--host", "0.0.0.0"], {"ALUR_DATABASE_URL": sqlite_url})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "alur: invalid configuration: the development ALUR_SECRET_KEY only serves on loopback, not on 0.0.0.0; "
        "set ALUR_SECRET_KEY to 32+ random characters"
    ]


def test_production_refuses_the_development_secret(sqlite_url: str) -> None:
    done = run(["migrate"], {"ALUR_DATABASE_URL": sqlite_url, "ALUR_ENV": "production"})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "alur: invalid configuration: ALUR_SECRET_KEY must be set to 32+ random characters in production"
    ]


async def test_an_agency_closed_day_moves_deadlines(sqlite_url: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from activities.calendar import CalendarActivities
    from core.calendar import WorkingTime
    from core.config import Settings
    from core.messages import DeadlineRequest

    done = run(["closed-day", "--agency", "ponorogo", "--date", "2027-08-16", "--note", "Hari Jadi"],
               {"ALUR_DATABASE_URL": sqlite_url})
    assert done.returncode == 0, done.stderr
    wib = ZoneInfo("Asia/Jakarta")
    request = DeadlineRequest(agency="ponorogo", sop="jathil-vendor", step="verify",
                              start=datetime(2027, 8, 13, 15, 0, tzinfo=wib), sla=WorkingTime(days=1))
    activities = CalendarActivities(Settings(database_url=sqlite_url), engine_for(sqlite_url))
    # Monday 16th closed by the agency, Tuesday 17th Independence Day: Wednesday 15:00.
    assert (await activities.compute_deadlines(request)).due_at == datetime(2027, 8, 18, 15, 0, tzinfo=wib)
    other = await activities.compute_deadlines(DeadlineRequest(**{**request.__dict__, "agency": "jatim"}))
    assert other.due_at == datetime(2027, 8, 16, 15, 0, tzinfo=wib)
    overridden = CalendarActivities(Settings(database_url=sqlite_url, sla_overrides={"jathil-vendor.verify": "2d"}),
                                    engine_for(sqlite_url))
    assert (await overridden.compute_deadlines(request)).due_at == datetime(2027, 8, 19, 15, 0, tzinfo=wib)


def test_demo_accounts_only_on_a_development_machines_own_database(sqlite_url: str) -> None:
    from core.config import Settings
    from core.devstack import demo_allowed

    own = Settings.model_fields["database_url"].default
    assert demo_allowed(Settings(env="development", database_url=own))
    assert not demo_allowed(Settings(env="development", database_url=sqlite_url))
    assert not demo_allowed(Settings(env="test"))
