"""What a printed room sign needs: each room of the current event with its name in every
language. The sign itself is drawn by `bot/presentation/room_signs.py`."""

from __future__ import annotations

import re

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.views import RoomNames
from bot.services.schedule import ScheduleService

# Telegram usernames: 5-32 characters, a letter first, then letters, digits and underscores
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")


async def rooms_for_signs(schedule: ScheduleService) -> list[RoomNames]:
    """The rooms of the current event in programme order (NoEventError before any import)."""
    programme = await schedule.cache.current()
    return [
        RoomNames(
            id=room.id,
            key=room.key,
            names={locale: room.names.get(locale) or room.name for locale in SUPPORTED_LOCALES},
        )
        for room in programme.rooms
    ]


def bot_username(text: str) -> str:
    """A username given on the command line (`@name` or `name`), checked, without the @."""
    name = text.strip().removeprefix("@")
    if not _USERNAME.match(name):
        raise ValueError(f"{text!r} is not a Telegram username (5-32 letters, digits or _)")
    return name
