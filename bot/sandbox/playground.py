"""`symposium-bot chat`: the real bot, handlers and database, driven from a terminal.

The bot talks to an in-process fake Bot API exactly as it would talk to Telegram; the
playground acts as one attendee (or organizer, with `--organizer`) and prints what Telegram
would show: buttons, the toasts of pressed buttons, and files and photos (saved to a folder).
Time runs from `--at` (an `OffsetClock`) and `/wait` moves it on, so reminders, the morning
summary, feedback prompts and speakers' alerts arrive as they would at the event.

The playground's own lines are for developers and translators, in English, not catalog text.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import mimetypes
import re
import shlex
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from bot.clock import Clock, OffsetClock
from bot.config import ConfigError, Settings
from bot.i18n import strip_bidi
from bot.logs import FORMAT
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage

if TYPE_CHECKING:
    from bot.app import Runtime

PLAYGROUND_USER_ID = 10_001
PROMPT = "you> "
HELP = (
    "Type as an attendee would (try /start, /now, 'climate'). A number presses that button;\n"
    "/quit leaves. Start with --lang ar|en|ms|ur, or switch with /language.\n"
    "Playground commands: /wait 15m (or 2h, 1d, 07:30) lets time pass; /file PATH sends a\n"
    "file (as an organizer, --organizer, a programme to import); /photo PATH sends a photo.\n"
)
LOG_FILE = "playground.log"

# The invisible bidi controls, as translators want to see them (`--show-bidi`).
BIDI_NAMES = {
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u061c": "ALM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
}
_BIDI = re.compile("[" + "".join(BIDI_NAMES) + "]")
_DURATION = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_DAY_AT = re.compile(r"^day\s*(\d+)(?:[ T]+(\d{1,2}):(\d{2}))?$", re.IGNORECASE)

LineReader = Callable[[], Awaitable[str]]


def show_bidi(text: str) -> str:
    """Each bidi control as a visible ⁅NAME⁆ (isolates, marks, embeddings)."""
    return _BIDI.sub(lambda match: f"⁅{BIDI_NAMES[match.group(0)]}⁆", text)


@dataclass(frozen=True)
class DayTime:
    """`--at day2 10:45`: a time on a day of the loaded programme (day 1 = its first day)."""

    day: int
    at: time


def parse_at(text: str) -> datetime | DayTime:
    """`--at`: an ISO time (`2026-03-14T10:45`, the event's zone unless given) or `dayN HH:MM`."""
    text = text.strip()
    match = _DAY_AT.match(text)
    if match:
        day = int(match.group(1))
        if day < 1:
            raise argparse.ArgumentTypeError("days count from day1")
        hour, minute = int(match.group(2) or 9), int(match.group(3) or 0)
        try:
            return DayTime(day, time(hour, minute))
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected e.g. 2026-03-14T10:45 or 'day1 10:45'"
        ) from None


def parse_wait(text: str, now: datetime) -> timedelta | None:
    """`/wait 15m`, `1h30m`, `90` (minutes), `2d`, or `07:30` (the next such local time)."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+", text):
        return timedelta(minutes=int(text))
    clock_time = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if clock_time:
        hour, minute = int(clock_time.group(1)), int(clock_time.group(2))
        if hour > 23 or minute > 59:
            return None
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        return target - now
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        return None
    total = timedelta()
    for amount, unit in parts:
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


async def run_playground(
    settings: Settings,
    *,
    locale: str,
    at: datetime | DayTime | None = None,
    name: str = "Guest",
    organizer: bool = False,
    bidi: bool = False,
    files: Path | None = None,
    read_line: LineReader | None = None,
    out: TextIO | None = None,
) -> int:
    """Chat until /quit or end of input; `read_line`/`out` replace the terminal (tests).

    `settings` are the operator's (`Settings.from_env()` from the CLI), every one of them:
    only the Bot API (the fake's token and URL, no webhook) and, with `organizer`, the
    admins are replaced."""
    from bot.app import Runtime, wall_clock

    out = out or sys.stdout
    folder = files or Path(tempfile.mkdtemp(prefix="symposium-playground-"))
    folder.mkdir(parents=True, exist_ok=True)
    clock = OffsetClock(None, wall_clock())
    admins = settings.admins | {PLAYGROUND_USER_ID} if organizer else settings.admins
    async with FakeBotApi(bot_username="symposium_playground_bot") as fake:
        runtime = Runtime.build(
            replace(
                settings,
                bot_token=fake.token,
                api_base_url=fake.base_url,
                webhook_url=None,
                webhook_secret=None,
                admins=admins,
            ),
            clock,
        )
        view = TerminalView(out, bidi=bidi, folder=folder, stored=_stored_bytes(fake))
        reader = read_line or _terminal_reader(view)
        fake.on_message = view.show
        with _logs_to(folder / LOG_FILE, view):
            await runtime.start()
            # This run's update ids follow the last stored one, as Telegram's usually do (the
            # inbox also takes a reused id for a new update, but `settled` waits by id).
            fake.hub.note_id(await runtime.inbox.last_update_id() or 0)
            try:
                zone = await _event_zone(runtime, settings.event_timezone)
                if at is not None:
                    clock.set(await _resolve_at(runtime, at, zone))
            except ConfigError:
                await runtime.stop()
                raise
            stop = asyncio.Event()
            serving = asyncio.create_task(runtime.serve(stop))
            user = fake.user(PLAYGROUND_USER_ID, name, language_code=locale)
            view.write(HELP)
            view.write(_banner(clock, zone, folder, organizer))
            session = _Session(runtime, fake, user, view, clock, zone)
            try:
                await session.converse(reader, first="/start")
            finally:
                stop.set()
                await serving
                await runtime.stop()
    return 0


def _banner(clock: Clock, zone: ZoneInfo, folder: Path, organizer: bool) -> str:
    role = f"an organizer (admin, user id {PLAYGROUND_USER_ID})" if organizer else "an attendee"
    return (
        f"You are {role}. It is {_local(clock.now(), zone)}; time runs on (/wait skips ahead).\n"
        f"Files the bot sends are saved in {folder}; the log is {folder / LOG_FILE}.\n"
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M} ({zone.key})"


async def _event_zone(runtime: Runtime, fallback: str) -> ZoneInfo:
    """The loaded programme's zone (times in --at and /wait HH:MM are local to the event)."""
    from bot.services.programme_cache import NoEventError

    try:
        return ZoneInfo((await runtime.services.schedule.event("en")).timezone)
    except NoEventError:
        return ZoneInfo(fallback)


async def _resolve_at(runtime: Runtime, at: datetime | DayTime, zone: ZoneInfo) -> datetime:
    from bot.services.programme_cache import NoEventError

    if isinstance(at, datetime):
        return at if at.tzinfo else at.replace(tzinfo=zone)
    try:
        days = (await runtime.services.schedule.event("en")).days
    except NoEventError:
        needs = "--at dayN needs a programme: run `symposium-bot import --sample`"
        raise ConfigError(needs) from None
    if at.day > len(days):
        raise ConfigError(f"--at day{at.day}: the programme has {len(days)} days")
    return datetime.combine(days[at.day - 1], at.at, zone)


def _stored_bytes(fake: FakeBotApi) -> Callable[[str], bytes | None]:
    """A file the bot sent again by file_id: its bytes are in the fake's store."""

    def find(file_id: str) -> bytes | None:
        stored = fake.state.files.get(file_id)
        return stored.data if stored is not None else None

    return find


@contextlib.contextmanager
def _logs_to(path: Path, view: TerminalView) -> Iterator[None]:
    """Log lines go to a file, not across the prompt; errors get one line in the chat."""
    root = logging.getLogger()
    streams = [h for h in root.handlers if type(h) is logging.StreamHandler]
    to_file = logging.FileHandler(path, encoding="utf-8")
    formatter = next((h.formatter for h in streams if h.formatter), None)
    to_file.setFormatter(formatter or logging.Formatter(FORMAT))
    to_view = _ErrorsToView(view, path)
    for handler in streams:
        root.removeHandler(handler)
    root.addHandler(to_file)
    root.addHandler(to_view)
    try:
        yield
    finally:
        root.removeHandler(to_view)
        root.removeHandler(to_file)
        to_file.close()
        for handler in streams:
            root.addHandler(handler)


class _ErrorsToView(logging.Handler):
    def __init__(self, view: TerminalView, path: Path) -> None:
        super().__init__(logging.ERROR)
        self._view, self._path = view, path

    def emit(self, record: logging.LogRecord) -> None:
        self._view.note(f"⚠️ {record.levelname.lower()}: {record.getMessage()} (see {self._path})")


def _terminal_reader(view: TerminalView) -> LineReader:
    async def read() -> str:
        with contextlib.suppress(ImportError):  # line editing and history where available
            import readline  # noqa: F401
        loop = asyncio.get_running_loop()
        view.prompting = True
        try:
            return await loop.run_in_executor(None, input, PROMPT)
        finally:
            view.prompting = False

    return read


class _Session:
    """One conversation: each line is a message, a button press or a playground command."""

    def __init__(
        self,
        runtime: Runtime,
        fake: FakeBotApi,
        user: FakeUser,
        view: TerminalView,
        clock: OffsetClock,
        zone: ZoneInfo,
    ) -> None:
        self.runtime, self.fake, self.user, self.view = runtime, fake, user, view
        self.clock, self.zone = clock, zone
        self._toasts = 0

    async def converse(self, read_line: LineReader, first: str) -> None:
        line = first
        while True:
            update = await self.act(line)
            if update is not None:
                await self.settled(int(update["update_id"]))
                self.show_toasts()
            try:
                line = (await read_line()).strip()
            except EOFError:
                return
            if line in ("/quit", "/exit"):
                return

    async def act(self, line: str) -> dict[str, Any] | None:
        """A number presses that button; /wait, /file, /photo are the playground's; anything
        else is sent as a message."""
        if not line:
            return None
        command, _, rest = line.partition(" ")
        if command == "/wait":
            await self.wait(rest)
            return None
        if command in ("/file", "/photo"):
            return await self.send_file(rest, photo=command == "/photo")
        pressed = self.view.button(int(line)) if line.isdigit() else None
        if pressed is None:
            return await self.fake.send_text(self.user, line)
        message, label, is_inline = pressed
        if not is_inline:
            return await self.fake.send_text(self.user, label)
        try:
            return await self.fake.press_button(self.user, message, text=label)
        except ValueError as error:
            self.view.note(f"(that button is gone: {error})")
            return None

    async def settled(self, update_id: int) -> None:
        """Wait until the bot has handled the update, so its answer prints before the prompt."""
        inbox, worker = self.runtime.inbox, self.runtime.worker
        for _ in range(500):
            if await inbox.is_finished(update_id):
                return
            worker.settle_now()
            await asyncio.sleep(0.02)

    def show_toasts(self) -> None:
        """answerCallbackQuery texts: the toast (or alert box) Telegram shows over the chat."""
        answers = self.fake.callback_answers(self.user.id)
        for answer in answers[self._toasts :]:
            text = answer.get("text")
            if text:
                alert = " (alert box)" if answer.get("show_alert") else ""
                self.view.note(f"💬 {self.view.render(str(text))}{alert}")
        self._toasts = len(answers)

    async def send_file(self, rest: str, *, photo: bool) -> dict[str, Any] | None:
        try:
            [name] = shlex.split(rest)
        except ValueError:
            self.view.note("usage: /file PATH  or  /photo PATH")
            return None
        path = Path(name)
        try:
            data = await asyncio.to_thread(lambda: path.expanduser().read_bytes())
        except OSError as error:
            self.view.note(f"cannot read {path}: {error}")
            return None
        if photo:
            return await self.fake.send_photo(self.user, data)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return await self.fake.send_document(self.user, path.name, data, mime)

    async def wait(self, rest: str) -> None:
        """Move the clock on, plan what fell due and deliver it, as the background loops
        would have over that time."""
        delta = parse_wait(rest, self.clock.now().astimezone(self.zone))
        if delta is None:
            self.view.note("usage: /wait 15m  (or 90s, 2h, 1h30m, 1d, or 07:30 for a time)")
            return
        self.clock.advance(delta)
        self.view.note(f"⏩ it is now {_local(self.clock.now(), self.zone)}")
        await self.runtime.planner.run_once()
        self.runtime.dispatcher.wake()
        await self.delivered()

    async def delivered(self) -> None:
        """Send everything due now; rows the background dispatcher claimed are waited for."""
        runtime = self.runtime
        outbox = runtime.services.outbox
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while True:
                    await runtime.dispatcher.drain()
                    due = await outbox.next_due()
                    in_flight = (await outbox.counts()).get("sending")
                    if not in_flight and (due is None or due > self.clock.now()):
                        break
                    await asyncio.sleep(0.05)


class TerminalView:
    """Prints each message once per change, numbering buttons so they can be pressed.

    A message that arrives while the prompt waits (a reminder, say) is printed above it and
    the prompt shown again, so background delivery never garbles what is being typed.
    """

    def __init__(
        self,
        out: TextIO,
        *,
        bidi: bool = False,
        folder: Path | None = None,
        stored: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self._out = out
        self._bidi = bidi
        self._folder = folder
        self._stored = stored
        self._buttons: list[tuple[SentMessage, str, bool]] = []
        self._keyboard: list[str] = []
        self.prompting = False

    def button(self, number: int) -> tuple[SentMessage, str, bool] | None:
        return self._buttons[number - 1] if 0 < number <= len(self._buttons) else None

    def render(self, text: str) -> str:
        return show_bidi(text) if self._bidi else strip_bidi(text)

    def show(self, message: SentMessage) -> None:
        if message.deleted:
            return
        heading = "bot (edited)>" if message.edits else "bot>"
        lines = [f"\n{heading}"]
        if message.kind != "text" and not message.edits:
            lines.append(self._save(message))
        body = self.render(message.plain_text)
        if body:
            lines.append(body)
        self._buttons = [(message, text, True) for text in message.button_texts()]
        keyboard = message.keyboard_texts()
        if keyboard:
            self._keyboard = keyboard
        self._buttons += [(message, text, False) for text in self._keyboard]
        for number, (_, text, inline) in enumerate(self._buttons, 1):
            marker = "" if inline else "  (menu)"
            lines.append(f"  [{number}] {self.render(text)}{marker}")
        self.write("\n".join(lines) + "\n")

    def note(self, text: str) -> None:
        """A line of the playground's own (a toast, a saved file, the time)."""
        self.write(f"{text}\n")

    def write(self, text: str) -> None:
        if not self.prompting:
            self._out.write(text)
            self._out.flush()
            return
        tty = self._out.isatty()
        self._out.write("\r\x1b[2K" if tty else "\n")  # off the prompt's line
        self._out.write(text.lstrip("\n"))
        self._out.write(PROMPT + _typed_so_far())
        self._out.flush()

    def _save(self, message: SentMessage) -> str:
        """A sent document or photo, written to the folder: '📎 saved NAME to PATH'."""
        data = message.document
        if data is None and message.file_id and self._stored is not None:
            data = self._stored(message.file_id)
        suffix = ".jpg" if message.kind == "photo" else ".bin"
        name = Path(message.filename or f"{message.kind}-{message.message_id}{suffix}").name
        if data is None or self._folder is None:
            return f"📎 {message.kind} {name} (not saved: sent by URL)"
        path = _free_path(self._folder / name)
        path.write_bytes(data)
        return f"📎 saved {name} to {path}"


def _free_path(path: Path) -> Path:
    """`badge.png`, then `badge-2.png`…: a second .ics never overwrites the first."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _typed_so_far() -> str:
    """What the user had typed at the prompt (readline's buffer), to show it again."""
    readline = sys.modules.get("readline")
    if readline is None:
        return ""
    try:
        return str(readline.get_line_buffer())
    except Exception:  # no line editing on this terminal
        return ""
