"""When reminders and digests are due, what a late one says, and what counts as a change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.changes import SlotState, detect_change, notice_variant, worth_telling
from bot.domain.reminders import (
    JustStarted,
    StartsIn,
    TooLate,
    digest_days,
    digest_moment,
    digest_too_late,
    reminder_due,
    timing,
)

START = datetime(2026, 3, 14, 3, 45, tzinfo=UTC)  # 11:45 in Kuala Lumpur
A = SlotState(START, START + timedelta(minutes=45), "merdeka-hall")
B = SlotState(START, START + timedelta(minutes=45), "main-hall")
C = SlotState(START, START + timedelta(minutes=45), "orchid-room")


@pytest.mark.parametrize(
    ("lead", "now", "due"),
    [
        (15, START - timedelta(hours=1), START - timedelta(minutes=15)),
        (60, START - timedelta(hours=2), START - timedelta(hours=1)),
        (0, START - timedelta(hours=1), None),
        (15, START - timedelta(minutes=15), None),  # that very moment: the user is looking
        (15, START + timedelta(minutes=1), None),
    ],
)
def test_reminder_due_is_the_lead_before_the_start_if_still_ahead(
    lead: int, now: datetime, due: datetime | None
) -> None:
    assert reminder_due(START, lead, now) == due


@pytest.mark.parametrize(
    ("before_start", "expected"),
    [
        (timedelta(minutes=15), StartsIn(15)),
        (timedelta(minutes=14, seconds=1), StartsIn(15)),
        (timedelta(seconds=30), StartsIn(1)),
        (timedelta(0), JustStarted(0)),
        (-timedelta(minutes=9, seconds=59), JustStarted(9)),
        (-timedelta(minutes=10), TooLate(10)),
        (-timedelta(minutes=30), TooLate(30)),
    ],
)
def test_timing_is_counted_at_send_time(before_start: timedelta, expected: object) -> None:
    assert timing(START, START - before_start) == expected


def test_the_digest_moment_is_local_event_time() -> None:
    moment = digest_moment(date(2026, 3, 14), time(7, 30), "Asia/Kuala_Lumpur")

    assert moment == datetime(2026, 3, 13, 23, 30, tzinfo=UTC)


def test_digest_days_are_today_and_tomorrow_within_the_event() -> None:
    first = date(2026, 3, 14)
    evening_before = datetime(2026, 3, 13, 12, 0, tzinfo=UTC)  # 20:00 on the 13th in KL
    last_day = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)

    assert digest_days(evening_before, "Asia/Kuala_Lumpur", first, 3) == [first]
    assert digest_days(last_day, "Asia/Kuala_Lumpur", first, 3) == [date(2026, 3, 16)]


def test_a_digest_is_too_late_two_hours_after_its_moment() -> None:
    due = datetime(2026, 3, 13, 23, 30, tzinfo=UTC)

    assert not digest_too_late(due, due + timedelta(hours=1, minutes=59))
    assert digest_too_late(due, due + timedelta(hours=2))


def test_the_same_slot_is_no_change_and_a_cancelled_one_stays_quiet() -> None:
    gone = SlotState(A.starts_at, A.ends_at, A.room, cancelled=True)
    moved_while_gone = SlotState(A.starts_at + timedelta(hours=1), A.ends_at, A.room, True)

    assert detect_change(1, "k", "T", A, A) is None
    assert detect_change(1, "k", "T", gone, moved_while_gone) is None
    change = detect_change(1, "k", "T", A, gone)
    assert change is not None and (change.cancelled, change.restored) == (True, False)


def test_a_notice_variant_differs_for_every_different_change() -> None:
    assert notice_variant(A, B) == notice_variant(A, B)
    assert len({notice_variant(A, B), notice_variant(B, C), notice_variant(C, B)}) == 3


def test_changes_to_sessions_that_are_over_are_not_worth_telling() -> None:
    assert worth_telling(A, B, START)
    assert not worth_telling(A, B, A.ends_at)
