"""Who is talking to the bot: created on first contact, language and role remembered."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Executable, Row, Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory, engine_of
from bot.domain.locales import is_supported, negotiate_locale
from bot.domain.text import shorten, strip_controls
from bot.domain.views import UserProfile
from bot.services.programme_cache import VERSION_COLUMNS, ProgrammeCache
from bot.services.roles import revoke_unlisted_admins

# Writing last_seen on every update would make every read a write; a minute is fine-grained
# enough for "active users" figures.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# A row read along with the update's lease serves its `touch` for this long (seconds); the
# handler starts within milliseconds unless the process is stalled.
READ_ALONG_MAX_AGE = 1.0
READ_ALONG_LIMIT = 1000


def _no_rows() -> None:
    return None


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
        self._read: dict[int, tuple[Row[Any] | None, float]] = {}  # by `read_along`

    def read_along(self, connection: Connection, user_ids: Collection[int]) -> Callable[[], None]:
        """Read the users of updates the inbox is leasing, in the transaction that leases them:
        their `touch` then needs no transaction of its own unless something changed (one
        transaction fewer per update, and on PostgreSQL four round trips fewer).

        It runs inside the inbox's unit (on SQLite, on the database thread), so it only reads;
        the rows are handed to `touch` by the function it returns, once that transaction has
        committed."""
        if not user_ids:
            return _no_rows
        at = time.monotonic()
        found = {row.id: row for row in connection.execute(LOOKUP_MANY, {"ids": sorted(user_ids)})}
        read = [(user_id, found.get(user_id)) for user_id in user_ids]

        def remember() -> None:
            if len(self._read) > READ_ALONG_LIMIT:  # never consumed (the update had no user)
                self._read = {
                    k: v for k, v in self._read.items() if at - v[1] <= READ_ALONG_MAX_AGE
                }
            for user_id, row in read:
                self._read[user_id] = (row, at)

        return remember

    async def touch(self, who: TelegramIdentity) -> UserProfile:
        """Record that `who` is here; create them with a negotiated language on first contact.

        Every update runs this, so it is plain Core with statements built once: the row read
        along with the update's lease (`read_along`) or one SELECT, and a write only for a
        newcomer or when something changed. A stored admin BOT_ADMINS does not name loses
        the role here (`roles.revoke_unlisted_admins`; normally already done at start)."""
        profile = await self._touch(who)
        if profile.role == "admin" and who.id not in self._admins:
            async with self._sessions.begin() as db:
                changed = await revoke_unlisted_admins(
                    db, self._admins, self._clock.now(), only=who.id
                )
                role = changed.get(who.id) or await db.scalar(LOOKUP_ROLE, {"id": who.id})
            profile = replace(profile, role=str(role or "attendee"))
        return profile

    async def _touch(self, who: TelegramIdentity) -> UserProfile:
        now = self._clock.now()
        read = self._read.pop(who.id, None)
        if read is not None and time.monotonic() - read[1] <= READ_ALONG_MAX_AGE:
            profile, write = self._seen(read[0], who, now, read[1])
            if write is not None:
                async with self._engine.begin() as connection:
                    await connection.execute(*write)
            return profile
        async with self._engine.begin() as connection:
            found = (await connection.execute(LOOKUP, {"id": who.id})).first()
            profile, write = self._seen(found, who, now, None)
            if write is not None:
                await connection.execute(*write)
            return profile

    def _seen(
        self, found: Row[Any] | None, who: TelegramIdentity, now: datetime, read_at: float | None
    ) -> tuple[UserProfile, tuple[Executable, dict[str, Any]] | None]:
        """`who`'s profile given their row (None: new), and the write that records the visit."""
        guess = negotiate_locale(who.language_code)
        if found is None:
            role = "admin" if who.id in self._admins else "attendee"
            new = {
                "id": who.id,
                "display_name": who.display_name,
                "username": who.username,
                "locale": guess.locale,
                "locale_chosen": False,
                "role": role,
                "first_seen": now,
                "last_seen": now,
                "blocked": False,
            }
            profile = UserProfile(
                who.id,
                who.display_name,
                guess.locale,
                role,
                blocked=False,
                is_new=True,
                locale_certain=guess.certain,
            )
            return profile, (INSERT_USER, new)
        if found.event_id is not None and self._programme is not None:
            self._programme.observe((int(found.event_id), int(found.programme_version)), read_at)
        changes = self._changes(found, who, now)
        if not found.locale_chosen and who.language_code and guess.locale != found.locale:
            changes["locale"] = guess.locale  # still only a guess: follow Telegram's hint
        profile = UserProfile(
            id=who.id,
            display_name=changes.get("display_name", found.display_name),
            locale=changes.get("locale", found.locale),
            role=changes.get("role", found.role),
            blocked=False,
            locale_certain=found.locale_chosen or guess.certain,
            dialogue=found.flow,
        )
        if not changes:
            return profile, None
        return profile, (update(USERS).where(USERS.c.id == who.id).values(changes), {})

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
_LOOKED_UP = (
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
_WITH_DIALOGUE = USERS.outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == USERS.c.id)
LOOKUP = select(*_LOOKED_UP).select_from(_WITH_DIALOGUE).where(USERS.c.id == bindparam("id"))
LOOKUP_MANY = (
    select(USERS.c.id, *_LOOKED_UP)
    .select_from(_WITH_DIALOGUE)
    .where(USERS.c.id.in_(bindparam("ids", expanding=True)))
)
INSERT_USER = insert(USERS)
LOOKUP_ROLE = select(USERS.c.role).where(USERS.c.id == bindparam("id"))
