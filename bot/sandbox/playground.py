"""`symposium-bot chat`: the real bot, handlers and database, driven from a terminal.

The bot talks to an in-process fake Bot API exactly as it would talk to Telegram; the
playground acts as one attendee and prints what Telegram would show, buttons included.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, FrozenClock, SystemClock
from bot.config import Settings
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage

if TYPE_CHECKING:
    from bot.app import Runtime

PLAYGROUND_USER_ID = 10_001
HELP = (
    "Type as an attendee would (try /start, /now, 'climate'). A number presses that button;\n"
    "/quit leaves. Start with --lang ar|en|ms|ur, or switch with /language.\n"
)


async def run_playground(
    settings: Settings, *, locale: str, at: datetime | None = None, name: str = "Guest"
) -> int:
    from bot.app import Runtime

    clock: Clock = SystemClock()
    if at is not None:
        zone = ZoneInfo(settings.event_timezone)
        clock = FrozenClock(at if at.tzinfo else at.replace(tzinfo=zone))
    async with FakeBotApi(bot_username="symposium_playground_bot") as fake:
        runtime = Runtime.build(
            Settings(
                bot_token=fake.token,
                api_base_url=fake.base_url,
                database_url=settings.database_url,
                admins=settings.admins,
                event_timezone=settings.event_timezone,
            ),
            clock,
        )
        view = TerminalView()
        fake.on_message = view.show
        await runtime.start()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        user = fake.user(PLAYGROUND_USER_ID, name, language_code=locale)
        print(HELP)
        try:
            await _conversation(runtime, fake, user, view, first="/start")
        finally:
            stop.set()
            await serving
            await runtime.stop()
    return 0


async def _conversation(
    runtime: Runtime, fake: FakeBotApi, user: FakeUser, view: TerminalView, first: str
) -> None:
    loop = asyncio.get_running_loop()
    line = first
    while True:
        update = await _act(fake, user, view, line)
        if update is not None:
            await _settled(runtime, int(update["update_id"]))
        try:
            line = (await loop.run_in_executor(None, _read_line)).strip()
        except EOFError:
            return
        if line in ("/quit", "/exit"):
            return


async def _act(
    fake: FakeBotApi, user: FakeUser, view: TerminalView, line: str
) -> dict[str, Any] | None:
    """A number presses that button; anything else is sent as a message."""
    if not line:
        return None
    pressed = view.button(int(line)) if line.isdigit() else None
    if pressed is None:
        return await fake.send_text(user, line)
    message, label, is_inline = pressed
    if not is_inline:
        return await fake.send_text(user, label)
    try:
        return await fake.press_button(user, message, text=label)
    except ValueError:
        return None


async def _settled(runtime: Runtime, update_id: int) -> None:
    """Wait until the bot has handled the update, so its answer prints before the prompt."""
    for _ in range(500):
        if await runtime.inbox.is_finished(update_id):
            return
        await asyncio.sleep(0.02)


def _read_line() -> str:
    return input("you> ")


class TerminalView:
    """Prints each message once per change, numbering buttons so they can be pressed."""

    def __init__(self) -> None:
        self._buttons: list[tuple[SentMessage, str, bool]] = []
        self._keyboard: list[str] = []

    def button(self, number: int) -> tuple[SentMessage, str, bool] | None:
        return self._buttons[number - 1] if 0 < number <= len(self._buttons) else None

    def show(self, message: SentMessage) -> None:
        heading = "bot (edited)>" if message.edits else "bot>"
        body = strip_bidi(message.plain_text)
        sys.stdout.write(f"\n{heading}\n{body}\n")
        self._buttons = [(message, text, True) for text in message.button_texts()]
        keyboard = message.keyboard_texts()
        if keyboard:
            self._keyboard = keyboard
        self._buttons += [(message, text, False) for text in self._keyboard]
        for number, (_, text, inline) in enumerate(self._buttons, 1):
            marker = "" if inline else "  (menu)"
            sys.stdout.write(f"  [{number}] {strip_bidi(text)}{marker}\n")
        sys.stdout.flush()
