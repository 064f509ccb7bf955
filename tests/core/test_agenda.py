"""The agenda of letters received (core.models_agenda): numbers per agency and year without gaps, drawn by
concurrent registrations (threads, as the worker's activities run), and a retried registration keeps its
number. SQLite file, and PostgreSQL when ALUR_TEST_DATABASE_URL is set."""

import threading

from sqlmodel import Session

from core.db import engine_for
from core.models import Case, utcnow
from core.models_agenda import agenda_numbers, register_letter

LETTERS = 20


def cases(url: str, prefix: str, count: int) -> list[str]:
    ids = [f"coaching-{prefix}-{n:06d}" for n in range(1, count + 1)]
    with Session(engine_for(url)) as session:
        session.add_all(Case(id=i, sop="coaching", agency="sijunjung", tracking_code=f"T{prefix}{n}",
                             applicant_name="Uni Ros", status="open", stage="Pengagendaan")
                        for n, i in enumerate(ids))
        session.commit()
    return ids


def test_concurrent_registrations_draw_one_to_twenty(database_url: str) -> None:
    engine = engine_for(database_url)
    ids = cases(database_url, "a", LETTERS)
    start = threading.Barrier(LETTERS)
    drawn: dict[str, int] = {}
    errors: list[BaseException] = []

    def register(case_id: str) -> None:
        try:
            start.wait()
            drawn[case_id] = register_letter(engine, "sijunjung", 2026, case_id, utcnow()).number
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=register, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(drawn.values()) == list(range(1, LETTERS + 1))
    assert agenda_numbers(engine, "sijunjung", 2026) == list(range(1, LETTERS + 1))

    again = register_letter(engine, "sijunjung", 2026, ids[7], utcnow())  # a retried activity
    assert (again.number, again.text) == (drawn[ids[7]], f"{drawn[ids[7]]}/2026")
    [late] = cases(database_url, "b", 1)
    assert register_letter(engine, "sijunjung", 2026, late, utcnow()).number == LETTERS + 1  # nothing was skipped
    [next_year] = cases(database_url, "c", 1)
    assert register_letter(engine, "sijunjung", 2027, next_year, utcnow()).text == "1/2027"
    assert register_letter(engine, "jombang", 2026, cases(database_url, "d", 1)[0], utcnow()).number == 1
