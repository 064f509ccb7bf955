"""Data migrations on rows written before them, on SQLite and (ALUR_TEST_DATABASE_URL) PostgreSQL."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core.db import MIGRATIONS, engine_for, normalize_url
from tests.conftest import PG_URL, _reset_postgres, postgres_to_myself

NOW = datetime(2026, 11, 2, 3, 0)  # naive UTC, as stored


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    if not PG_URL:
        pytest.skip("ALUR_TEST_DATABASE_URL not set")
    with postgres_to_myself():
        _reset_postgres(PG_URL)
        yield normalize_url(PG_URL)


def upgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, revision)


def add_user(connection: sa.Connection, email: str, role: str, agency: str | None) -> int:
    users = sa.table("users", *(sa.column(c) for c in ("email", "name", "role", "agency", "password_hash",
                                                        "verified", "created_at")))
    connection.execute(users.insert().values(email=email, name=email, role=role, agency=agency, password_hash="x",
                                             verified=True, created_at=NOW))
    return connection.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one()


def add_case(connection: sa.Connection, case_id: str, sop: str, applicant: int, data: dict) -> None:
    cases = sa.table("cases", *(sa.column(c) for c in (
        "id", "sop", "agency", "tracking_code", "applicant_id", "applicant_name", "title", "status", "stage",
        "overdue", "version", "created_at", "updated_at")), sa.column("data", sa.JSON))
    connection.execute(cases.insert().values(
        id=case_id, sop=sop, agency="dki", tracking_code="".join(w[0] for w in case_id.split("-")[:2]) + case_id[-6:],
        applicant_id=applicant, applicant_name="A",
        title="", status="open", stage="Draft", data=data, overdue=False, version=1, created_at=NOW, updated_at=NOW))


def test_units_move_satpel_and_pjlp_to_the_seed_skpd_and_cases_to_theirs(empty_url: str) -> None:
    upgrade(empty_url, "0003_gallery")
    engine = engine_for(empty_url)
    with engine.begin() as connection:
        ids = {email: add_user(connection, email, role, agency) for email, role, agency in (
            ("satpel@dki.id", "satpel", "dki"), ("pjlp@dki.id", "pjlp", "dki"),
            ("admin@dki.id", "admin_eorder", "dki"), ("umkm@contoh.id", "umkm", None))}
        applicant = ids["umkm@contoh.id"]
        add_case(connection, "eorder-vendor-2026-000001", "eorder-vendor", applicant, {"skpd": "141732", "pkt": True})
        add_case(connection, "eorder-product-2026-000001", "eorder-product", applicant,
                 {"name": "Nasi kotak", "vendor_case": "eorder-vendor-2026-000001"})
        add_case(connection, "jathil-vendor-2026-000001", "jathil-vendor", applicant, {"business_name": "Sri"})
    engine.dispose()

    upgrade(empty_url, "0004_units")
    with engine.connect() as connection:
        units = dict(connection.execute(sa.text("SELECT email, unit FROM users")).all())
        cases = dict(connection.execute(sa.text("SELECT id, unit FROM cases")).all())
    engine.dispose()
    assert units == {"satpel@dki.id": "141732", "pjlp@dki.id": "141732", "admin@dki.id": None, "umkm@contoh.id": None}
    assert cases == {"eorder-vendor-2026-000001": "141732", "eorder-product-2026-000001": "141732",
                     "jathil-vendor-2026-000001": None}
    upgrade(empty_url, "heads")


def test_the_schema_matches_the_models(tmp_path: Path) -> None:
    """What `alembic revision --autogenerate` would add to the last revision: nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import core.models  # noqa: F401  (the tables, as core/migrations/env.py loads them)
    import core.models_eorder  # noqa: F401
    import core.models_gallery  # noqa: F401
    import core.models_agenda  # noqa: F401
    import core.models_owners  # noqa: F401
    import core.models_survey  # noqa: F401
    import core.models_dashboard  # noqa: F401
    import core.models_limits  # noqa: F401

    url = f"sqlite:///{tmp_path / 'head.db'}"
    upgrade(url, "heads")
    with engine_for(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
