"""The terminal playground shows what the bot does: files it sends (saved, path printed),
the toasts of pressed buttons, a programme sent by an organizer, time passing (`/wait`), and
the invisible bidi isolates for translators.

Each test drives `run_playground` line by line, as a person at the terminal would, on a copy
of the sample database (day 1 = Saturday 14 March 2026, Kuala Lumpur), and reads its output.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock, OffsetClock
from bot.config import Settings
from bot.sandbox.playground import DayTime, parse_at, parse_wait, run_playground
from tests.conftest import KL
from tests.databases import copy_sqlite

Step = str | Callable[[str], str]
PROGRAMME = Path(__file__).parents[1] / "importers" / "data" / "pretalx-rc3-excerpt.json"


class Terminal:
    """Types the steps one by one; a step may be computed from what is on screen so far."""

    def __init__(self, steps: list[Step]) -> None:
        self.out = io.StringIO()
        self._steps = list(steps)
        self._marks: list[int] = []

    async def read_line(self) -> str:
        if not self._steps:
            raise EOFError
        step = self._steps.pop(0)
        self._marks.append(len(self.out.getvalue()))
        return step if isinstance(step, str) else step(self.out.getvalue())

    @property
    def text(self) -> str:
        return self.out.getvalue()

    def after(self, step: int) -> str:
        """What appeared once the step-th line (0-based) was typed."""
        return self.text[self._marks[step] :]


def press(label: str) -> Callable[[str], str]:
    """The number of the newest button whose label contains `label`."""

    def number(screen: str) -> str:
        found = re.findall(rf"^  \[(\d+)\] [^\n]*{re.escape(label)}", screen, re.MULTILINE)
        assert found, f"no button {label!r} on screen:\n{screen[-1500:]}"
        return found[-1]

    return number


async def play(
    database: str,
    steps: list[Step],
    files: Path,
    *,
    at: datetime | DayTime = datetime(2026, 3, 14, 10, 15, tzinfo=KL),
    **options: bool,
) -> Terminal:
    terminal = Terminal(steps)
    settings = Settings(database_url=database, event_timezone="Asia/Kuala_Lumpur")
    code = await run_playground(
        settings,
        locale="en",
        at=at,
        files=files,
        read_line=terminal.read_line,
        out=terminal.out,
        **options,
    )
    assert code == 0
    return terminal


BOOKMARK: list[Step] = [
    "Business Models Arabic",
    press("Business Models"),
    press("⭐"),
]


async def test_a_calendar_file_the_bot_sends_is_saved_and_its_path_printed(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    steps = [*BOOKMARK, "/agenda", press("Add all to my calendar")]
    terminal = await play(sqlite_sample_db, steps, tmp_path)

    saved = re.search(r"📎 saved (\S+\.ics) to (.+)$", terminal.text, re.MULTILINE)
    assert saved is not None, terminal.text[-2000:]
    path = Path(saved.group(2))
    assert path.parent == tmp_path
    content = await asyncio.to_thread(path.read_text, "utf-8")
    assert content.startswith("BEGIN:VCALENDAR")
    assert "Business Models for Independent Arabic Digital Media" in content


async def test_the_toast_of_a_pressed_button_is_shown(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    terminal = await play(sqlite_sample_db, BOOKMARK, tmp_path)

    toasts = [line for line in terminal.after(2).splitlines() if line.startswith("💬 ")]
    assert toasts, terminal.after(2)
    assert "agenda" in toasts[0].lower()


async def test_an_organizer_sends_a_programme_file_and_sees_the_dry_run(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    terminal = await play(
        sqlite_sample_db, [f"/file {PROGRAMME}"], tmp_path / "files", organizer=True
    )

    assert "You are an organizer" in terminal.text
    assert "🔍 Dry run: nothing has been changed yet." in terminal.after(0)


async def test_an_attendees_file_is_not_taken_for_a_programme(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    terminal = await play(sqlite_sample_db, [f"/file {PROGRAMME}"], tmp_path)

    assert "You are an attendee" in terminal.text
    assert "Dry run" not in terminal.after(0)
    assert "bot>" in terminal.after(0)  # it answered the document


async def test_waiting_delivers_the_reminder_that_fell_due(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    # the session starts at 11:45; with the default 15-minute lead its reminder is due 11:30
    at = datetime(2026, 3, 14, 11, 20, tzinfo=KL)
    terminal = await play(sqlite_sample_db, [*BOOKMARK, "/wait 15m"], tmp_path, at=at)

    before, waited = terminal.text[: len(terminal.text) - len(terminal.after(3))], terminal.after(3)
    assert "⏰" not in before
    assert "⏩ it is now Sat 2026-03-14 11:35" in waited
    assert "⏰ Business Models for Independent Arabic Digital Media starts in" in waited


async def test_show_bidi_makes_the_isolates_visible(
    sqlite_templates: dict[bool, Path], tmp_path: Path
) -> None:
    plain_db = copy_sqlite(sqlite_templates[True], tmp_path / "plain.db")
    shown_db = copy_sqlite(sqlite_templates[True], tmp_path / "shown.db")

    plain = await play(plain_db, ["/now"], tmp_path / "plain")
    shown = await play(shown_db, ["/now"], tmp_path / "shown", bidi=True)

    assert "⁅FSI⁆" in shown.after(0) and "⁅PDI⁆" in shown.after(0)
    assert "⁅" not in plain.after(0)
    assert "\u2068" not in shown.text and "\u2068" not in plain.text


async def test_a_day_of_the_programme_can_be_named_instead_of_a_date(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    terminal = await play(sqlite_sample_db, [], tmp_path, at=parse_at("day2 10:45"))

    assert "It is Sun 2026-03-15 10:45 (Asia/Kuala_Lumpur)" in terminal.text


def test_at_and_wait_read_as_a_person_writes_them() -> None:
    assert parse_at("day1 10:45") == parse_at("day1T10:45")
    naive = datetime(2026, 3, 14, 10, 45, tzinfo=KL).replace(tzinfo=None)
    assert parse_at("2026-03-14T10:45") == naive  # in the event's zone
    now = datetime(2026, 3, 14, 10, 15, tzinfo=KL)
    assert parse_wait("15m", now) == timedelta(minutes=15)
    assert parse_wait("1h30m", now) == timedelta(minutes=90)
    assert parse_wait("90", now) == timedelta(minutes=90)
    assert parse_wait("07:30", now) == timedelta(hours=21, minutes=15)  # tomorrow morning
    assert parse_wait("soon", now) is None


def test_the_offset_clock_starts_at_a_moment_and_runs_on() -> None:
    base = FrozenClock(datetime(2026, 12, 8, tzinfo=UTC))
    clock = OffsetClock(datetime(2026, 3, 14, 10, 15, tzinfo=KL), base)

    assert clock.now() == datetime(2026, 3, 14, 10, 15, tzinfo=KL)
    base.advance(timedelta(seconds=30))
    clock.advance(timedelta(minutes=15))
    assert clock.now() == datetime(2026, 3, 14, 10, 30, 30, tzinfo=KL)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 3, 14, 10, 15, tzinfo=KL).replace(tzinfo=None))
