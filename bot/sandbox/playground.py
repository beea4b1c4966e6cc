"""`symposium-bot chat`: the real bot, handlers and database, driven from a terminal.

The bot talks to an in-process fake Bot API exactly as it would talk to Telegram; the
playground acts as one attendee and prints what Telegram would show, buttons included.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock, FrozenClock, SystemClock
from bot.config import Settings
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage

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
            await _conversation(fake, user, view, first="/start")
        finally:
            stop.set()
            await serving
            await runtime.stop()
    return 0


async def _conversation(fake: FakeBotApi, user: FakeUser, view: TerminalView, first: str) -> None:
    await fake.send_text(user, first)
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(0.3)  # let the bot answer before the prompt is printed
        try:
            line = await loop.run_in_executor(None, _read_line)
        except EOFError:
            return
        line = line.strip()
        if line in ("/quit", "/exit"):
            return
        if not line:
            continue
        pressed = view.button(int(line)) if line.isdigit() else None
        if pressed is not None:
            message, label, is_inline = pressed
            if is_inline:
                with contextlib.suppress(ValueError):
                    await fake.press_button(user, message, text=label)
            else:
                await fake.send_text(user, label)
            continue
        await fake.send_text(user, line)


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
