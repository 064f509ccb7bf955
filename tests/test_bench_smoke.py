"""The bench's own pieces at a tiny size (make bench itself is not part of make test): seeded open cases
that the projection's models still accept and the API's reads find, and accounts whose tokens the API takes."""

from pathlib import Path

from sqlmodel import Session, func, select

from api import queries
from api.deps import user_from_token
from core.config import Settings
from core.db import engine_for, migrate
from core.models import Case, Task, User
from tests.bench import add_people, percentile, seed_open_cases


def test_seeded_cases_are_open_tasks_that_the_reads_find(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    migrate(url)
    engine = engine_for(url)
    seed_open_cases(engine, 60)
    people = add_people(engine, "s" * 40, 2)
    settings = Settings(env="test", database_url=url, secret_key="s" * 40)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case).where(Case.status == "open")).one() == 60
        assert session.exec(select(func.count()).select_from(Task)).one() == 60
        staff = user_from_token(session, settings, people.staff["admin_bidang"].removeprefix("Bearer "))
        assert staff is not None and staff.agency == "ponorogo"
        assert queries.case_list(session, staff).total > 0
        assert queries.inbox_total(session, staff, queries.InboxFilter()) > 0
        applicant_id, token = next(people.applicants)
        assert user_from_token(session, settings, token.removeprefix("Bearer ")) == session.get(User, applicant_id)


def test_percentile() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(map(float, range(101))), 99) == 99.0
