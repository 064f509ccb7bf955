"""The dashboard's figures against numbers worked out by hand, on a fixture of step runs and cases with
known times in Asia/Jakarta (WIB, UTC+7), Mon-Fri 08:00-16:00: 480 working minutes a day. Monday
17 August 2026 is Independence Day, so durations across it differ from wall-clock time."""

from datetime import date, datetime, timedelta, timezone

from core.calendar import WorkingCalendar, WorkingTime
from core.dashboard import (
    Period, SopInfo, StepInfo, dashboard, describe_minutes, p90, stuck_steps, working_day_minutes,
)
from core.models import Case
from core.models_dashboard import StepRun

WIB = timezone(timedelta(hours=7))
CALENDAR = WorkingCalendar("Asia/Jakarta")
DEMO = SopInfo("demo", "Layanan Demo", (
    StepInfo("verify", "Verifikasi", "admin_bidang", WorkingTime(days=1)),
    StepInfo("approve", "Persetujuan", "admin_utama", WorkingTime(days=2)),
    StepInfo("revise", "Perbaikan", "umkm", None),
))
PERIOD = Period(date(2026, 8, 10), date(2026, 8, 23))  # ISO weeks 33 and 34


def at(day: int, hour: int, minute: int = 0, month: int = 8) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def run(case: str, step: str, started: datetime, closed: datetime | None = None, due: datetime | None = None,
        overdue: bool = False) -> StepRun:
    return StepRun(case_id=case, sop="demo", agency="ponorogo", step=step, role="admin_bidang", started_at=started,
                   closed_at=closed, due_at=due, overdue=overdue)


def case(case_id: str, created: datetime, closed: datetime | None = None, overdue: bool = False) -> Case:
    return Case(id=case_id, sop="demo", agency="ponorogo", tracking_code=case_id, applicant_name="Sri",
                status="completed" if closed else "open", stage="-", created_at=created, closed_at=closed,
                overdue=overdue)


RUNS = [
    # verify (standard 1 working day)
    run("c1", "verify", at(10, 9), at(10, 11), due=at(11, 9)),  # 120 min, on time
    run("c2", "verify", at(14, 14), at(18, 10), due=at(18, 14)),  # Fri 14-16 + holiday Monday + Tue 08-10 = 240, on time
    run("c4", "verify", at(11, 8), at(13, 12), due=at(12, 8)),  # 480 + 480 + 240 = 1200, late
    run("c3", "verify", at(6, 10), at(10, 10), due=at(7, 10)),  # opened before the period: 360 + 480 + 120 = 960, late
    run("c7", "verify", at(3, 9), at(4, 9), due=at(4, 9)),  # closed before the period: not counted
    run("c5", "verify", at(19, 9), due=at(20, 9)),  # open, past its deadline: overdue now
    run("c6", "verify", at(21, 8, 30), due=at(24, 8, 30)),  # open, in time
    # approve (standard 2 working days)
    run("c1", "approve", at(10, 11), at(12, 11), due=at(12, 11)),  # 300 + 480 + 180 = 960, exactly at its deadline
    run("c2", "approve", at(18, 10), at(21, 9), due=at(20, 10)),  # 360 + 480 + 480 + 60 = 1380, late
    # revise (no standard)
    run("c4", "revise", at(10, 12), at(10, 15)),  # 180
]
CASES = [
    case("c1", at(10, 9), at(12, 11)),
    case("c2", at(14, 14), at(21, 9)),
    case("c3", at(6, 10), at(10, 10)),  # opened before the period, closed in it
    case("c4", at(11, 8), overdue=True),
    case("c5", at(19, 9)),
    case("c6", at(21, 8, 30)),
    case("c7", at(3, 9), at(4, 9)),  # entirely before the period
    case("c8", at(16, 23, 30)),  # Sunday night in Jakarta (16:30 UTC): ISO week 33 there
    case("c9", at(10, 9), at(24, 1)),  # closed Monday 01:00 WIB (Sunday 18:00 UTC): after the period
]
NOW = at(24, 7)  # Monday 24 August, 07:00 WIB


def test_working_durations_read_in_days_and_hours() -> None:
    assert working_day_minutes(CALENDAR) == 480
    assert describe_minutes(600, 480) == "1 hari 2 jam kerja"
    assert describe_minutes(1170, 480) == "2 hari 3 jam 30 menit kerja"
    assert describe_minutes(0, 480) == "0 menit kerja"
    assert p90([5, 1, 4, 2, 3, 6, 7, 8, 9, 10]) == 9 and p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == 10


def test_figures_per_sop_and_step_match_the_hand_calculation() -> None:
    board = dashboard("ponorogo", [DEMO], CASES, RUNS, PERIOD, CALENDAR, NOW)
    assert board.working_day_minutes == 480 and board.timezone == "Asia/Jakarta"
    [demo] = board.sops
    # Open now: c4, c5, c6, c8; overdue: c4 (flagged) and c5 (its open verify is past its deadline).
    # Opened in the period: c1, c2, c4, c5, c6, c8, c9; closed in it: c1, c2, c3.
    assert (demo.open, demo.overdue_now, demo.opened, demo.closed) == (4, 2, 7, 3)
    assert demo.on_time_percent == 50.0  # (2 + 1) of (4 + 2) closed steps with a deadline

    verify, approve, revise = demo.steps
    assert (verify.open, verify.overdue_now, verify.closed, verify.with_standard, verify.on_time) == (2, 1, 4, 4, 2)
    assert verify.on_time_percent == 50.0
    assert verify.standard.minutes == 480 and verify.standard.text == "1 hari kerja"
    # Sorted: 120, 240, 960, 1200. Median (240 + 960) / 2 = 600; p90: rank ceil(3.6) = 4 -> 1200.
    assert (verify.median.minutes, verify.p90.minutes) == (600, 1200)
    assert (verify.median.text, verify.p90.text) == ("1 hari 2 jam kerja", "2 hari 4 jam kerja")

    assert (approve.open, approve.closed, approve.on_time, approve.on_time_percent) == (0, 2, 1, 50.0)
    assert approve.standard.minutes == 960
    # 960 and 1380: median 1170, p90 rank ceil(1.8) = 2 -> 1380 (wall time: almost 3 days).
    assert (approve.median.minutes, approve.p90.minutes) == (1170, 1380)
    assert approve.p90.text == "2 hari 7 jam kerja"

    assert (revise.closed, revise.with_standard, revise.on_time_percent, revise.standard) == (1, 0, None, None)
    assert revise.median.minutes == 180 and revise.median.text == "3 jam kerja"

    assert [(w.week, w.starts, w.opened, w.closed) for w in demo.weeks] == [
        ("2026-W33", date(2026, 8, 10), 5, 2),  # opened c1 c2 c4 c8 c9; closed c1 c3
        ("2026-W34", date(2026, 8, 17), 2, 1),  # opened c5 c6; closed c2
    ]


def test_an_sop_without_runs_shows_zeros() -> None:
    [demo] = dashboard("ponorogo", [DEMO], [], [], PERIOD, CALENDAR, NOW).sops
    assert (demo.open, demo.closed, demo.on_time_percent) == (0, 0, None)
    assert all(s.median is None and s.on_time_percent is None for s in demo.steps)
    assert [w.opened for w in demo.weeks] == [0, 0]


def test_stuck_steps_overdue_or_quiet_for_three_working_days() -> None:
    now = at(20, 15)  # Thursday 20 August, 15:00 WIB
    runs = [
        run("late", "verify", at(18, 9), due=at(19, 9)),  # overdue; moved 1 working day ago
        run("quiet", "revise", at(10, 9)),  # last event Tue 11 Aug 10:00: 360+480*3+480+480+420 = 3180 min = 6 days
        run("holiday", "revise", at(14, 16)),  # 6 calendar days, but Tue+Wed+Thu 07h = 1380 min: 2 working days
        run("moving", "verify", at(10, 9), at(19, 11)),  # its step changed Wednesday 11:00:
        run("moving", "approve", at(19, 11)),  # 300 + 420 = 720 min, 1 day
    ]
    last_events = {"late": at(19, 9), "quiet": at(11, 10), "moving": at(12, 9)}
    found = stuck_steps(runs, last_events, CALENDAR, now, after_days=3)
    assert [(s.run.case_id, s.overdue, s.quiet_days, s.last_movement) for s in found] == [
        ("late", True, 1, at(19, 9)),
        ("quiet", False, 6, at(11, 10)),
    ]
    # With a shorter threshold, the case quiet over the holiday is found too, and the moving one still not.
    assert [s.run.case_id for s in stuck_steps(runs, last_events, CALENDAR, now, after_days=2)] == ["late", "quiet", "holiday"]
