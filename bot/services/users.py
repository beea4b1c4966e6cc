"""Who is talking to the bot: created on first contact, language and role remembered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
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
        self._clock = clock
        self._admins = admins
        self._programme = programme  # told the version `touch` reads along (one trip fewer)

    async def touch(self, who: TelegramIdentity) -> UserProfile:
        """Record that `who` is here; create them with a negotiated language on first contact."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            # The user, their dialogue if any, and the programme's version, in one statement.
            found = (
                await db.execute(
                    select(m.User, m.Conversation.flow, *VERSION_COLUMNS)
                    .outerjoin(m.Conversation, m.Conversation.user_id == m.User.id)
                    .where(m.User.id == who.id)
                )
            ).first()
            user, dialogue = (found[0], found[1]) if found is not None else (None, None)
            if found is not None and found[2] is not None and self._programme is not None:
                self._programme.observe((int(found[2]), int(found[3])))
            is_new = user is None
            guess = negotiate_locale(who.language_code)
            if user is None:
                user = m.User(
                    id=who.id,
                    display_name=who.display_name,
                    username=who.username,
                    locale=guess.locale,
                    locale_chosen=False,
                    role="admin" if who.id in self._admins else "attendee",
                    first_seen=now,
                    last_seen=now,
                    blocked=False,
                )
                db.add(user)
            else:
                self._refresh(user, who, now)
                if not user.locale_chosen and who.language_code:
                    user.locale = guess.locale  # still only a guess: follow Telegram's hint
            return UserProfile(
                id=user.id,
                display_name=user.display_name,
                locale=user.locale,
                role=user.role,
                blocked=user.blocked,
                is_new=is_new,
                locale_certain=user.locale_chosen or guess.certain,
                dialogue=dialogue,
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

    def _refresh(self, user: m.User, who: TelegramIdentity, now: datetime) -> None:
        if user.display_name != who.display_name:
            user.display_name = who.display_name
        if user.username != who.username:
            user.username = who.username
        if user.blocked:
            user.blocked = False  # they wrote to us, so they unblocked the bot
        if who.id in self._admins and user.role != "admin":
            user.role = "admin"
        if now - user.last_seen >= LAST_SEEN_RESOLUTION:
            user.last_seen = now
