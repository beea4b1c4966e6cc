"""Send-time answers for speakers' outbox rows, and the check-in buttons' effect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.reminder_views import Dropped
from bot.domain.speakers import (
    DEFAULT_ALERT_LEADS,
    HERE,
    LATE,
    MissingReport,
    MissingSpeaker,
    PeopleNotice,
    SpeakerAlert,
    SpeakerSession,
    leads_for,
    minutes_left,
)
from bot.domain.views import PersonRef
from bot.services.schedule import ScheduleService
from bot.services.speakers import session_item
from bot.services.translations import pick


class SpeakerDesk:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        schedule: ScheduleService,
        default_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule
        self._default_leads = default_leads

    async def alert(
        self,
        session_id: int,
        user_id: int,
        locale: str,
        planned: datetime,
        lead: int | None = None,
    ) -> SpeakerAlert | Dropped:
        """A speaker's alert (or check-in question) as it can be sent now, or why not.
        `lead`: the alert's minutes before the start, still wanted only if the speaker's
        setting holds it (the check-in question has none)."""
        async with self._sessions() as db:
            link = await db.get(m.SpeakerLink, user_id)
        if link is None:
            return Dropped("the account is no longer linked to a speaker")
        speaker_id = link.speaker_id
        if lead is not None and lead not in leads_for(link.alert_leads, self._default_leads):
            return Dropped("the speaker no longer wants an alert this long before")
        item = await session_item(self._sessions, self._schedule, session_id, speaker_id, locale)
        if item is None:
            return Dropped("the session is no longer in the programme")
        session = item.session
        if session.cancelled:
            return Dropped("the session was cancelled")
        if all(p.id != speaker_id for p in session.people):
            return Dropped("the speaker no longer takes part in the session")
        if session.starts_at != planned:
            return Dropped("the session moved; alerts for its new time replace this one")
        now = self._clock.now()
        if now >= session.starts_at:
            return Dropped("the session has started")
        return SpeakerAlert(item, minutes_left(session.starts_at, now))

    async def check_in(self, user_id: int, session_id: int, status: str) -> SpeakerSession | None:
        """Record "here" or "late" (the latest answer counts); None if not their session."""
        if status not in (HERE, LATE):
            raise ValueError(status)
        speaker_id = await self._speaker_of(user_id)
        if speaker_id is None:
            return None
        async with self._sessions.begin() as db:
            taking_part = await db.scalar(
                select(m.SessionSpeaker.id).where(
                    m.SessionSpeaker.session_id == session_id,
                    m.SessionSpeaker.speaker_id == speaker_id,
                )
            )
            if taking_part is None:
                return None
            insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
            statement = insert(m.SpeakerCheckin).values(
                session_id=session_id, speaker_id=speaker_id, status=status, at=self._clock.now()
            )
            await db.execute(
                statement.on_conflict_do_update(
                    index_elements=["session_id", "speaker_id"],
                    set_={"status": status, "at": statement.excluded.at},
                )
            )
        locale = await self._locale(user_id)
        return await session_item(self._sessions, self._schedule, session_id, speaker_id, locale)

    async def missing(self, starts_at: datetime, locale: str) -> MissingReport | Dropped:
        """Linked speakers of the sessions starting then who have not said "here"."""
        async with self._sessions() as db:
            rows = await db.execute(
                select(m.Session, m.Speaker, m.SpeakerCheckin.status)
                .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
                .join(m.Speaker, m.Speaker.id == m.SessionSpeaker.speaker_id)
                .join(m.SpeakerLink, m.SpeakerLink.speaker_id == m.Speaker.id)
                .outerjoin(
                    m.SpeakerCheckin,
                    (m.SpeakerCheckin.session_id == m.Session.id)
                    & (m.SpeakerCheckin.speaker_id == m.Speaker.id),
                )
                .where(m.Session.starts_at == starts_at, ~m.Session.cancelled)
                .order_by(m.Session.id, m.SessionSpeaker.position)
            )
            missing = []
            for session, speaker, status in rows.unique().all():
                if status == HERE:
                    continue
                title = pick(session.translations, locale)
                speaker_name = pick(speaker.translations, locale)
                missing.append(
                    MissingSpeaker(
                        speaker_name.name if speaker_name else speaker.name,
                        title.title if title else session.title,
                        status,
                    )
                )
        if not missing:
            return Dropped("every speaker of the slot is here")
        if self._clock.now() >= starts_at:
            return Dropped("the slot has started")
        return MissingReport(starts_at, tuple(missing))

    async def people_notice(
        self, payload: dict[str, Any], user_id: int, locale: str
    ) -> PeopleNotice | Dropped:
        """A co-speaker change as it can be told now: only what still holds (someone who
        joined and left again before the message went out is not news), or why not at all."""
        speaker_id = await self._speaker_of(user_id)
        if speaker_id is None:
            return Dropped("the account is no longer linked to a speaker")
        you = str(payload.get("you", ""))
        starts_at = datetime.fromisoformat(payload["starts_at"])
        ends_at = datetime.fromisoformat(payload["ends_at"])
        detail = await self._schedule.session(int(payload["session_id"]), locale)
        if detail is not None:
            starts_at, ends_at = detail.starts_at, detail.ends_at
        if ends_at <= self._clock.now():
            return Dropped("the session is over")
        listed = detail is not None and any(p.id == speaker_id for p in detail.people)
        titles = payload.get("titles") or {}
        title = detail.title if detail is not None else titles.get(locale) or payload["title"]
        if you == "removed":
            if listed:
                return Dropped("the speaker is listed for the session again")
            return PeopleNotice(you, title, starts_at, ends_at, detail)
        if detail is None or detail.cancelled:
            return Dropped("the session was cancelled or removed")
        if not listed:
            return Dropped("the speaker no longer takes part in the session")
        if you == "added":
            return PeopleNotice(you, title, starts_at, ends_at, detail)
        current = {(p.id, p.role) for p in detail.people}
        wanted = {(int(i), str(role)) for i, role, _ in payload["joined"]}
        joined = tuple(p for p in detail.people if (p.id, p.role) in wanted)
        gone = [(int(i), str(role), str(name)) for i, role, name in payload["left"]]
        gone = [g for g in gone if (g[0], g[1]) not in current]
        names = await self._speaker_names({i for i, _, _ in gone}, locale)
        left = tuple(PersonRef(i, names.get(i) or name, role) for i, role, name in gone)
        if not joined and not left:
            return Dropped("undone before the speaker heard of it")
        return PeopleNotice(you, title, starts_at, ends_at, detail, joined, left)

    async def _speaker_names(self, ids: set[int], locale: str) -> dict[int, str]:
        if not ids:
            return {}
        async with self._sessions() as db:
            rows = await db.scalars(select(m.Speaker).where(m.Speaker.id.in_(ids)))
            names = {}
            for speaker in rows:
                translated = pick(speaker.translations, locale)
                names[speaker.id] = translated.name if translated else speaker.name
        return names

    async def _speaker_of(self, user_id: int) -> int | None:
        async with self._sessions() as db:
            found = await db.scalar(
                select(m.SpeakerLink.speaker_id).where(m.SpeakerLink.user_id == user_id)
            )
        return int(found) if found is not None else None

    async def _locale(self, user_id: int) -> str:
        async with self._sessions() as db:
            return await db.scalar(select(m.User.locale).where(m.User.id == user_id)) or "en"
