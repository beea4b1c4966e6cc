"""What speakers are sent on their own: alerts before their sessions, the check-in question,
news of a change to their session; and the organizers' list of speakers not yet confirmed.

Planning is idempotent (the outbox key holds the session, the lead and the start time), so
the periodic planner and linking may both plan, any number of times. Whether a row is still
worth sending is decided when it is sent: a moved session's old alerts are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.delivery.outbox import Envelope, enqueue
from bot.domain.changes import SessionChange, notice_variant, worth_telling
from bot.domain.speakers import (
    ALERT_LEADS,
    CHECKIN_DEADLINE,
    CHECKIN_LEAD,
    PLAN_HORIZON,
    due_before,
)
from bot.services.audit import ORGANIZER_ROLES

SPEAKER_ALERT = "speaker_alert"
SPEAKER_CHECKIN = "speaker_checkin"
SPEAKER_CHANGE = "speaker_change"
SPEAKERS_MISSING = "speakers_missing"


def slot_subject(starts_at: datetime) -> str:
    return "slot:" + starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M")


def _stamp(starts_at: datetime) -> str:
    return starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M")


def speaker_envelopes(user: m.User, session: m.Session, now: datetime) -> list[Envelope]:
    """Alerts at each lead and the check-in question, for one linked speaker and session."""
    start = session.starts_at.astimezone(UTC)
    payload = {"session_id": session.id, "starts_at": start.isoformat()}
    subject = f"session:{session.id}"
    envelopes = []
    for lead in ALERT_LEADS:
        due = due_before(start, lead, now)
        if due is not None:
            envelopes.append(
                Envelope(
                    SPEAKER_ALERT,
                    subject,
                    user.id,
                    due,
                    user.locale,
                    payload,
                    f"{lead}-{_stamp(start)}",
                )
            )
    due = due_before(start, CHECKIN_LEAD, now)
    if due is not None:
        envelopes.append(
            Envelope(SPEAKER_CHECKIN, subject, user.id, due, user.locale, payload, _stamp(start))
        )
    return envelopes


def missing_envelopes(
    organizers: Sequence[m.User], starts_at: datetime, now: datetime
) -> list[Envelope]:
    """One report per organizer per slot start time, rendered from the answers then."""
    due = due_before(starts_at, CHECKIN_DEADLINE, now)
    if due is None:
        return []
    payload = {"starts_at": starts_at.astimezone(UTC).isoformat()}
    return [
        Envelope(SPEAKERS_MISSING, slot_subject(starts_at), o.id, due, o.locale, payload)
        for o in organizers
    ]


async def plan_for_speaker(db: AsyncSession, user_id: int, speaker_id: int, now: datetime) -> int:
    """Right after linking: everything for the speaker's upcoming sessions."""
    rows = await db.execute(
        select(m.Session)
        .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
        .where(
            m.SessionSpeaker.speaker_id == speaker_id,
            m.Session.starts_at > now,
            ~m.Session.cancelled,
        )
    )
    user = await db.get(m.User, user_id)
    if user is None:
        return 0
    sessions = list(rows.scalars().unique())
    organizers = await _organizers(db)
    envelopes = []
    for session in sessions:
        envelopes += speaker_envelopes(user, session, now)
        envelopes += missing_envelopes(organizers, session.starts_at, now)
    return await enqueue(db, envelopes, now) if envelopes else 0


async def plan_upcoming(db: AsyncSession, now: datetime) -> int:
    """The planner's round: every linked speaker's sessions within the horizon."""
    rows = await db.execute(
        select(m.Session, m.User)
        .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
        .join(m.SpeakerLink, m.SpeakerLink.speaker_id == m.SessionSpeaker.speaker_id)
        .join(m.User, m.User.id == m.SpeakerLink.user_id)
        .where(
            m.Session.starts_at > now,
            m.Session.starts_at <= now + PLAN_HORIZON,
            ~m.Session.cancelled,
            ~m.User.blocked,
        )
    )
    pairs = rows.unique().all()
    if not pairs:
        return 0
    organizers = await _organizers(db)
    envelopes: list[Envelope] = []
    slots = set()
    for session, user in pairs:
        envelopes += speaker_envelopes(user, session, now)
        slots.add(session.starts_at)
    for start in slots:
        envelopes += missing_envelopes(organizers, start, now)
    return await enqueue(db, envelopes, now) if envelopes else 0


async def on_session_change(
    db: AsyncSession, session: m.Session, change: SessionChange, now: datetime
) -> int:
    """Inside the programme's transaction, before attendees' notices: the linked speakers
    of the session hear of it at once (their rows come first in the outbox)."""
    if not worth_telling(change.before, change.after, now):
        return 0
    users = await linked_users(db, session.id)
    if not users:
        return 0
    variant = notice_variant(change.before, change.after)
    payload = {
        "session_id": session.id,
        "before": change.before.to_json(),
        "after": change.after.to_json(),
    }
    envelopes = [
        Envelope(SPEAKER_CHANGE, f"session:{session.id}", u.id, now, u.locale, payload, variant)
        for u in users
    ]
    return await enqueue(db, envelopes, now)


async def linked_users(db: AsyncSession, session_id: int) -> list[m.User]:
    return list(
        await db.scalars(
            select(m.User)
            .join(m.SpeakerLink, m.SpeakerLink.user_id == m.User.id)
            .join(m.SessionSpeaker, m.SessionSpeaker.speaker_id == m.SpeakerLink.speaker_id)
            .where(m.SessionSpeaker.session_id == session_id)
            .order_by(m.User.id)
        )
    )


async def _organizers(db: AsyncSession) -> list[m.User]:
    return list(
        await db.scalars(select(m.User).where(m.User.role.in_(ORGANIZER_ROLES), ~m.User.blocked))
    )
