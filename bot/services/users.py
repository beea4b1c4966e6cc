"""Who is talking to the bot: created on first contact, language and role remembered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory, engine_of
from bot.domain.locales import is_supported, negotiate_locale
from bot.domain.text import shorten, strip_controls
from bot.domain.views import UserProfile
from bot.services.programme_cache import VERSION_COLUMNS, ProgrammeCache

# Writing last_seen on every update would make every read a write; a minute is fine-grained
# enough for "active users" figures.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TelegramIdentity:
    """What an update tells us about its sender."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return shorten(strip_controls(full), 200)


class UserService:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        admins: frozenset[int],
        programme: ProgrammeCache | None = None,
    ) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)
        self._clock = clock
        self._admins = admins
        self._programme = programme  # told the version `touch` reads along (one trip fewer)

    async def touch(self, who: TelegramIdentity) -> UserProfile:
        """Record that `who` is here; create them with a negotiated language on first contact.

        Every update runs this, so it is plain Core on a bare connection with statements
        built once: one SELECT, and a write only for a newcomer or when something changed."""
        now = self._clock.now()
        guess = negotiate_locale(who.language_code)
        async with self._engine.begin() as connection:
            found = (await connection.execute(LOOKUP, {"id": who.id})).first()
            if found is None:
                role = "admin" if who.id in self._admins else "attendee"
                await connection.execute(
                    INSERT_USER,
                    {
                        "id": who.id,
                        "display_name": who.display_name,
                        "username": who.username,
                        "locale": guess.locale,
                        "locale_chosen": False,
                        "role": role,
                        "first_seen": now,
                        "last_seen": now,
                        "blocked": False,
                    },
                )
                return UserProfile(
                    who.id,
                    who.display_name,
                    guess.locale,
                    role,
                    blocked=False,
                    is_new=True,
                    locale_certain=guess.certain,
                )
            if found.event_id is not None and self._programme is not None:
                self._programme.observe((int(found.event_id), int(found.programme_version)))
            changes = self._changes(found, who, now)
            if not found.locale_chosen and who.language_code and guess.locale != found.locale:
                changes["locale"] = guess.locale  # still only a guess: follow Telegram's hint
            if changes:
                await connection.execute(update(USERS).where(USERS.c.id == who.id).values(changes))
            return UserProfile(
                id=who.id,
                display_name=changes.get("display_name", found.display_name),
                locale=changes.get("locale", found.locale),
                role=changes.get("role", found.role),
                blocked=False,
                locale_certain=found.locale_chosen or guess.certain,
                dialogue=found.flow,
            )

    async def set_locale(self, user_id: int, locale: str) -> None:
        if not is_supported(locale):
            raise ValueError(f"unsupported locale {locale!r}")
        async with self._sessions.begin() as db:
            user = await db.get(m.User, user_id)
            if user is not None:
                user.locale, user.locale_chosen = locale, True

    async def profile(self, user_id: int) -> UserProfile | None:
        async with self._sessions() as db:
            user = await db.get(m.User, user_id)
            if user is None:
                return None
            return UserProfile(user.id, user.display_name, user.locale, user.role, user.blocked)

    async def count(self) -> int:
        async with self._sessions() as db:
            return int(await db.scalar(select(func.count()).select_from(m.User)) or 0)

    def _changes(self, found: Row[Any], who: TelegramIdentity, now: datetime) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if found.display_name != who.display_name:
            changes["display_name"] = who.display_name
        if found.username != who.username:
            changes["username"] = who.username
        if found.blocked:
            changes["blocked"] = False  # they wrote to us, so they unblocked the bot
        if who.id in self._admins and found.role != "admin":
            changes["role"] = "admin"
        if now - found.last_seen >= LAST_SEEN_RESOLUTION:
            changes["last_seen"] = now
        return changes


USERS = cast(Table, m.User.__table__)
_CONVERSATIONS = cast(Table, m.Conversation.__table__)
# Built once: a statement built per update costs more to key for the compiled cache than
# it costs to run. The user, their dialogue if any, and the programme's version in one trip.
LOOKUP = (
    select(
        USERS.c.display_name,
        USERS.c.username,
        USERS.c.locale,
        USERS.c.locale_chosen,
        USERS.c.role,
        USERS.c.last_seen,
        USERS.c.blocked,
        _CONVERSATIONS.c.flow,
        VERSION_COLUMNS[0].label("event_id"),
        VERSION_COLUMNS[1].label("programme_version"),
    )
    .select_from(USERS.outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == USERS.c.id))
    .where(USERS.c.id == bindparam("id"))
)
INSERT_USER = insert(USERS)
