"""Speakers' accounts: one-time invites, linking a Telegram account, and "my sessions".

Only the SHA-256 of an invite token is stored. Redeeming is one conditional UPDATE (unused,
not revoked, not expired), so two people opening the same link race for one row and only
one of them wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.roles import ORGANIZER_ROLES
from bot.domain.speakers import (
    DEFAULT_ALERT_LEADS,
    INVITE_TTL,
    AlertSetting,
    Invite,
    Redeemed,
    RedeemFailure,
    Revoked,
    SpeakerChoice,
    SpeakerHome,
    SpeakerSession,
    format_leads,
    name_matches,
    new_token,
    parse_leads,
    token_hash,
)
from bot.domain.text import sort_key
from bot.domain.views import UserProfile
from bot.services.audit import record, require_role
from bot.services.schedule import ScheduleService
from bot.services.speaker_alerts import plan_for_speaker, plan_upcoming, replan_alerts

SPEAKER = "speaker"


class SpeakerService:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        schedule: ScheduleService,
        default_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS,  # SPEAKER_ALERT_MINUTES
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule
        self._default_leads = default_leads

    async def plan(self, now: datetime | None = None) -> int:
        """The planner's round: alerts, check-ins and organizers' reports (idempotent)."""
        async with self._sessions.begin() as db:
            return await plan_upcoming(db, now or self._clock.now(), self._default_leads)

    # --- the speaker's alert setting -------------------------------------------------------
    async def alert_setting(self, user_id: int) -> AlertSetting | None:
        """The linked speaker's alert leads; None if the account is not a speaker's."""
        async with self._sessions() as db:
            link = await db.get(m.SpeakerLink, user_id)
        if link is None:
            return None
        return self._setting(link.alert_leads)

    async def set_alert_leads(
        self, user_id: int, leads: tuple[int, ...] | None
    ) -> AlertSetting | None:
        """Store the speaker's leads (None = the event's default) and re-plan at once: alerts
        no longer wanted are cancelled, new ones planned. None if not a speaker."""
        now = self._clock.now()
        async with self._sessions.begin() as db:
            link = await db.get(m.SpeakerLink, user_id)
            user = await db.get(m.User, user_id)
            if link is None or user is None:
                return None
            link.alert_leads = None if leads is None else format_leads(leads)
            await db.flush()
            setting = self._setting(link.alert_leads)
            await replan_alerts(db, user, link.speaker_id, setting.leads, now)
            return setting

    def _setting(self, stored: str | None) -> AlertSetting:
        if stored is None:
            return AlertSetting(None, self._default_leads)
        try:
            return AlertSetting(parse_leads(stored), self._default_leads)
        except ValueError:
            return AlertSetting(None, self._default_leads)

    # --- invites (organizers) -------------------------------------------------------------
    async def speakers_for(
        self, actor: UserProfile, locale: str, query: str = ""
    ) -> list[SpeakerChoice]:
        """The speakers an organizer may invite, those whose name (in any language) matches
        `query`, A-Z for the reader, with whether each is linked (the check is here, not in
        the handler)."""
        await require_role(
            self._sessions, actor, "speaker_invite", at=self._clock.now(), subject=""
        )
        return await self._choices(locale, query)

    async def revocable(
        self, actor: UserProfile, locale: str, query: str = ""
    ) -> list[SpeakerChoice]:
        """The speakers with open invites (matching `query`), for the /revoke picker."""
        await require_role(
            self._sessions, actor, "speaker_revoke", at=self._clock.now(), subject=""
        )
        return [c for c in await self._choices(locale, query) if c.open_invites]

    async def _choices(self, locale: str, query: str) -> list[SpeakerChoice]:
        programme = await self._schedule.cache.current()
        now = self._clock.now()
        async with self._sessions() as db:
            linked = set(await db.scalars(select(m.SpeakerLink.speaker_id)))
            rows = await db.execute(
                select(m.SpeakerInvite.speaker_id, func.count())
                .where(*_open(now))
                .group_by(m.SpeakerInvite.speaker_id)
            )
            open_invites = {int(speaker): int(n) for speaker, n in rows.all()}
        found = [
            SpeakerChoice(
                s.id,
                s.names.get(locale, s.name),
                s.organization,
                s.id in linked,
                open_invites.get(s.id, 0),
            )
            for s in programme.speakers
            if name_matches(query, [s.name, *s.names.values()])
        ]
        return sorted(found, key=lambda c: sort_key(c.name, locale))

    async def invite(
        self, actor: UserProfile | None, speaker_id: int, locale: str | None = None
    ) -> Invite:
        """A new one-time invite; `actor` None is the command line (already trusted). The
        speaker is named in `locale` when given (the reader's), else as in the programme."""
        await require_role(
            self._sessions, actor, "speaker_invite", at=self._clock.now(), subject=str(speaker_id)
        )
        async with self._sessions.begin() as db:
            speaker = await db.get(m.Speaker, speaker_id)
            if speaker is None:
                raise LookupError(f"no speaker {speaker_id}")
            made = self._new_invite(db, actor, speaker)
        if locale is None:
            return made
        return replace(made, speaker_name=await self._name(speaker_id, locale, made.speaker_name))

    async def _name(self, speaker_id: int, locale: str, default: str) -> str:
        detail = await self._schedule.speaker(speaker_id, locale)
        return detail.name if detail is not None else default

    async def invite_many(self, speaker_keys: Sequence[str] | None) -> list[Invite]:
        """Command line: invites for the given speaker keys, or for every speaker."""
        async with self._sessions.begin() as db:
            query = select(m.Speaker).order_by(m.Speaker.name)
            if speaker_keys is not None:
                query = query.where(m.Speaker.key.in_(speaker_keys))
            speakers = list(await db.scalars(query))
            if speaker_keys is not None:
                missing = set(speaker_keys) - {s.key for s in speakers}
                if missing:
                    raise LookupError(f"no speaker with key {', '.join(sorted(missing))}")
            return [self._new_invite(db, None, s) for s in speakers]

    async def revoke(self, actor: UserProfile | None, speaker_key: str) -> int:
        """Revoke the speaker's open invites; returns how many."""
        await require_role(
            self._sessions, actor, "speaker_revoke", at=self._clock.now(), subject=speaker_key
        )
        async with self._sessions.begin() as db:
            speaker_ids = list(
                await db.scalars(select(m.Speaker.id).where(m.Speaker.key == speaker_key))
            )
            if not speaker_ids:
                raise LookupError(f"no speaker with key {speaker_key}")
            return await self._revoke(db, actor, speaker_ids, speaker_key)

    async def revoke_speaker(self, actor: UserProfile, speaker_id: int, locale: str) -> Revoked:
        """The /revoke picker's choice: revoke that speaker's open invites."""
        await require_role(
            self._sessions, actor, "speaker_revoke", at=self._clock.now(), subject=str(speaker_id)
        )
        async with self._sessions.begin() as db:
            speaker = await db.get(m.Speaker, speaker_id)
            if speaker is None:
                raise LookupError(f"no speaker {speaker_id}")
            key, original = speaker.key, speaker.name
            count = await self._revoke(db, actor, [speaker_id], key)
        return Revoked(await self._name(speaker_id, locale, original), count)

    async def _revoke(
        self, db: AsyncSession, actor: UserProfile | None, speaker_ids: list[int], key: str
    ) -> int:
        now = self._clock.now()
        result = await db.execute(
            update(m.SpeakerInvite)
            .where(m.SpeakerInvite.speaker_id.in_(speaker_ids), *_open(now, expired_too=True))
            .values(revoked_at=now)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        record(db, actor, "speaker_revoke", at=now, subject=key, detail=str(count))
        return count

    # --- linking (the speaker) ------------------------------------------------------------
    async def redeem(self, user_id: int, token: str) -> Redeemed:
        """Link the user to the invite's speaker. The speaker reopening the link they used
        (and are still linked by) is no failure: `again`, and nothing changes.

        Raises RedeemFailure (invalid, used, expired, revoked) and links nothing then."""
        now = self._clock.now()
        digest = token_hash(token) if token else ""
        async with self._sessions.begin() as db:
            claimed = await db.scalar(
                update(m.SpeakerInvite)
                .where(
                    m.SpeakerInvite.token_hash == digest,
                    m.SpeakerInvite.used_at.is_(None),
                    m.SpeakerInvite.revoked_at.is_(None),
                    m.SpeakerInvite.expires_at > now,
                )
                .values(used_at=now, used_by=user_id)
                .returning(m.SpeakerInvite.speaker_id)
            )
            if claimed is None:
                mine = await _still_linked_by(db, digest, user_id)
                if mine is not None:
                    return Redeemed(mine, again=True)
                reason = await _why_not(db, digest, now)
                record(
                    db,
                    None,
                    "speaker_link",
                    at=now,
                    subject=str(user_id),
                    outcome="refused",
                    detail=reason,
                )
                raise RedeemFailure(reason)
            speaker_id = int(claimed)
            displaced = await _link(db, user_id, speaker_id, now)
            record(
                db,
                None,
                "speaker_link",
                at=now,
                subject=str(user_id),
                detail=f"speaker {speaker_id}",
            )
            await db.flush()
            await plan_for_speaker(db, user_id, speaker_id, now, self._default_leads)
            return Redeemed(speaker_id, displaced=displaced)

    async def speaker_of(self, user_id: int) -> int | None:
        async with self._sessions() as db:
            found = await db.scalar(
                select(m.SpeakerLink.speaker_id).where(m.SpeakerLink.user_id == user_id)
            )
        return int(found) if found is not None else None

    async def home(self, user_id: int, locale: str) -> SpeakerHome | None:
        """The linked speaker's sessions with bookmarks and seats; None if not a speaker."""
        speaker_id = await self.speaker_of(user_id)
        if speaker_id is None:
            return None
        detail = await self._schedule.speaker(speaker_id, locale)
        if detail is None:
            return None
        items = []
        for summary in detail.sessions:
            item = await session_item(
                self._sessions, self._schedule, summary.id, speaker_id, locale
            )
            if item is not None:
                items.append(item)
        return SpeakerHome(speaker_id, detail.name, tuple(items))

    def _new_invite(
        self, db: AsyncSession, actor: UserProfile | None, speaker: m.Speaker
    ) -> Invite:
        now = self._clock.now()
        token = new_token()
        expires = now + INVITE_TTL
        db.add(
            m.SpeakerInvite(
                token_hash=token_hash(token),
                speaker_id=speaker.id,
                created_by=actor.id if actor else None,
                created_at=now,
                expires_at=expires,
            )
        )
        record(db, actor, "speaker_invite", at=now, subject=speaker.key)
        return Invite(speaker.id, speaker.name, speaker.key, token, expires)


async def session_item(
    sessions: SessionFactory,
    schedule: ScheduleService,
    session_id: int,
    speaker_id: int | None,
    locale: str,
) -> SpeakerSession | None:
    """A session as its speaker sees it: how many saved it, seats, their check-in."""
    detail = await schedule.session(session_id, locale)
    if detail is None:
        return None
    async with sessions() as db:
        bookmarks = await db.scalar(
            select(func.count()).select_from(m.Bookmark).where(m.Bookmark.session_id == session_id)
        )
        seats = None
        if detail.capacity:
            seats = await db.scalar(
                select(func.count())
                .select_from(m.Reservation)
                .where(m.Reservation.session_id == session_id, m.Reservation.status == "confirmed")
            )
        checkin = None
        if speaker_id is not None:
            checkin = await db.scalar(
                select(m.SpeakerCheckin.status).where(
                    m.SpeakerCheckin.session_id == session_id,
                    m.SpeakerCheckin.speaker_id == speaker_id,
                )
            )
    return SpeakerSession(
        detail, int(bookmarks or 0), int(seats or 0) if detail.capacity else None, checkin
    )


async def _why_not(db: AsyncSession, digest: str, now: datetime) -> str:
    invite = await db.scalar(select(m.SpeakerInvite).where(m.SpeakerInvite.token_hash == digest))
    if invite is None:
        return "invalid"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.used_at is not None:
        return "used"
    return "expired"


def _open(now: datetime, *, expired_too: bool = False) -> list[ColumnElement[bool]]:
    """Invites not used nor withdrawn (nor expired, unless `expired_too`)."""
    rules: list[ColumnElement[bool]] = [
        m.SpeakerInvite.used_at.is_(None),
        m.SpeakerInvite.revoked_at.is_(None),
    ]
    return rules if expired_too else [*rules, m.SpeakerInvite.expires_at > now]


async def _still_linked_by(db: AsyncSession, digest: str, user_id: int) -> int | None:
    """The speaker whose invite this user opened before and is still linked to, else None."""
    found = await db.scalar(
        select(m.SpeakerLink.speaker_id)
        .join(m.SpeakerInvite, m.SpeakerInvite.speaker_id == m.SpeakerLink.speaker_id)
        .where(
            m.SpeakerInvite.token_hash == digest,
            m.SpeakerInvite.used_by == user_id,
            m.SpeakerLink.user_id == user_id,
        )
    )
    return int(found) if found is not None else None


async def _link(db: AsyncSession, user_id: int, speaker_id: int, now: datetime) -> tuple[int, ...]:
    """One account per speaker and one speaker per account: the newest link wins. Returns
    the other account that was this speaker's, if any (it is one no longer)."""
    displaced = tuple(
        int(other)
        for other in await db.scalars(
            select(m.SpeakerLink.user_id).where(
                m.SpeakerLink.speaker_id == speaker_id, m.SpeakerLink.user_id != user_id
            )
        )
    )
    await db.execute(
        delete(m.SpeakerLink).where(
            (m.SpeakerLink.user_id == user_id) | (m.SpeakerLink.speaker_id == speaker_id)
        )
    )
    db.add(m.SpeakerLink(user_id=user_id, speaker_id=speaker_id, linked_at=now))
    user = await db.get(m.User, user_id)
    if user is not None and user.role not in ORGANIZER_ROLES:
        user.role = SPEAKER
    return displaced
