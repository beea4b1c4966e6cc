"""Speakers' accounts: one-time invites, linking a Telegram account, and "my sessions".

Only the SHA-256 of an invite token is stored. Redeeming is one conditional UPDATE (unused,
not revoked, not expired), so two people opening the same link race for one row and only
one of them wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.speakers import (
    DEFAULT_ALERT_LEADS,
    INVITE_TTL,
    AlertSetting,
    Invite,
    RedeemFailure,
    SpeakerHome,
    SpeakerSession,
    format_leads,
    new_token,
    parse_leads,
    token_hash,
)
from bot.domain.views import SpeakerSummary, UserProfile
from bot.services.audit import ORGANIZER_ROLES, record, require_role
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
    async def speakers_for(self, actor: UserProfile, locale: str) -> list[SpeakerSummary]:
        """The speakers an organizer may invite (the check is here, not in the handler)."""
        await require_role(
            self._sessions, actor, "speaker_invite", at=self._clock.now(), subject=""
        )
        return await self._schedule.speakers(locale)

    async def invite(self, actor: UserProfile | None, speaker_id: int) -> Invite:
        """A new one-time invite; `actor` None is the command line (already trusted)."""
        await require_role(
            self._sessions, actor, "speaker_invite", at=self._clock.now(), subject=str(speaker_id)
        )
        async with self._sessions.begin() as db:
            speaker = await db.get(m.Speaker, speaker_id)
            if speaker is None:
                raise LookupError(f"no speaker {speaker_id}")
            return self._new_invite(db, actor, speaker)

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
        now = self._clock.now()
        async with self._sessions.begin() as db:
            speaker_ids = list(
                await db.scalars(select(m.Speaker.id).where(m.Speaker.key == speaker_key))
            )
            if not speaker_ids:
                raise LookupError(f"no speaker with key {speaker_key}")
            result = await db.execute(
                update(m.SpeakerInvite)
                .where(
                    m.SpeakerInvite.speaker_id.in_(speaker_ids),
                    m.SpeakerInvite.used_at.is_(None),
                    m.SpeakerInvite.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            count = int(getattr(result, "rowcount", 0) or 0)
            record(db, actor, "speaker_revoke", at=now, subject=speaker_key, detail=str(count))
            return count

    # --- linking (the speaker) ------------------------------------------------------------
    async def redeem(self, user_id: int, token: str) -> int:
        """Link the user to the invite's speaker; returns the speaker id.

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
            await _link(db, user_id, speaker_id, now)
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
            return speaker_id

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


async def _link(db: AsyncSession, user_id: int, speaker_id: int, now: datetime) -> None:
    """One account per speaker and one speaker per account: the newest link wins."""
    await db.execute(
        delete(m.SpeakerLink).where(
            (m.SpeakerLink.user_id == user_id) | (m.SpeakerLink.speaker_id == speaker_id)
        )
    )
    db.add(m.SpeakerLink(user_id=user_id, speaker_id=speaker_id, linked_at=now))
    user = await db.get(m.User, user_id)
    if user is not None and user.role not in ORGANIZER_ROLES:
        user.role = SPEAKER
