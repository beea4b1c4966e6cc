"""What speakers are sent on their own: alerts before their sessions, the check-in question,
news of a change to their session; and the organizers' list of speakers not yet confirmed.

Planning is idempotent (the outbox key holds the session, the lead and the start time), so
the periodic planner and linking may both plan, any number of times. Whether a row is still
worth sending is decided when it is sent: a moved session's old alerts are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.changes import SessionChange, notice_variant, worth_telling
from bot.domain.outbox_kinds import (
    SPEAKER_ALERT,
    SPEAKER_CHANGE,
    SPEAKER_CHECKIN,
    SPEAKER_PEOPLE,
    SPEAKERS_MISSING,
)
from bot.domain.roles import ORGANIZER_ROLES
from bot.domain.speakers import (
    CHECKIN_DEADLINE,
    CHECKIN_LEAD,
    DEFAULT_ALERT_LEADS,
    PLAN_HORIZON,
    Listed,
    PeopleChange,
    Person,
    due_before,
    leads_for,
    news_for,
    people_news,
)
from bot.services.outbox import CANCELLED, PENDING, Envelope, cancel, enqueue


def slot_subject(starts_at: datetime) -> str:
    return "slot:" + starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M")


def _stamp(starts_at: datetime) -> str:
    return starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M")


def alert_envelopes(
    user: m.User, session: m.Session, leads: tuple[int, ...], now: datetime
) -> list[Envelope]:
    """The alerts at each of the speaker's leads (the key holds the lead and the start)."""
    start = session.starts_at.astimezone(UTC)
    envelopes = []
    for lead in leads:
        due = due_before(start, lead, now)
        if due is not None:
            envelopes.append(
                Envelope(
                    SPEAKER_ALERT,
                    f"session:{session.id}",
                    user.id,
                    due,
                    user.locale,
                    {"session_id": session.id, "starts_at": start.isoformat(), "lead": lead},
                    f"{lead}-{_stamp(start)}",
                )
            )
    return envelopes


def speaker_envelopes(
    user: m.User, session: m.Session, now: datetime, leads: tuple[int, ...] = DEFAULT_ALERT_LEADS
) -> list[Envelope]:
    """Alerts at each lead and the check-in question, for one linked speaker and session.
    The check-in question comes whatever the leads (even with alerts off)."""
    start = session.starts_at.astimezone(UTC)
    payload = {"session_id": session.id, "starts_at": start.isoformat()}
    subject = f"session:{session.id}"
    envelopes = alert_envelopes(user, session, leads, now)
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


def linked_within_horizon(now: datetime) -> Select[tuple[m.Session, m.User]]:
    """(session, linked user) for each speaker or moderator with an account, for sessions
    starting within the planning horizon: what every speaker-facing planner walks."""
    return (
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


def upcoming_of_speaker(speaker_id: int, now: datetime) -> Select[tuple[m.Session]]:
    """The speaker's sessions still to start and not cancelled."""
    return (
        select(m.Session)
        .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
        .where(
            m.SessionSpeaker.speaker_id == speaker_id,
            m.Session.starts_at > now,
            ~m.Session.cancelled,
        )
    )


async def plan_for_speaker(
    db: AsyncSession,
    user_id: int,
    speaker_id: int,
    now: datetime,
    default_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS,
) -> int:
    """Right after linking: everything for the speaker's upcoming sessions."""
    rows = await db.execute(upcoming_of_speaker(speaker_id, now))
    user = await db.get(m.User, user_id)
    if user is None:
        return 0
    leads = leads_for(await _chosen_leads(db, user_id), default_leads)
    sessions = list(rows.scalars().unique())
    organizers = await _organizers(db)
    envelopes = []
    for session in sessions:
        envelopes += speaker_envelopes(user, session, now, leads)
        envelopes += missing_envelopes(organizers, session.starts_at, now)
    return await enqueue(db, envelopes, now) if envelopes else 0


async def plan_upcoming(
    db: AsyncSession, now: datetime, default_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS
) -> int:
    """The planner's round: every linked speaker's sessions within the horizon."""
    rows = await db.execute(linked_within_horizon(now).add_columns(m.SpeakerLink.alert_leads))
    pairs = rows.unique().all()
    if not pairs:
        return 0
    organizers = await _organizers(db)
    envelopes: list[Envelope] = []
    slots = set()
    for session, user, chosen in pairs:
        envelopes += speaker_envelopes(user, session, now, leads_for(chosen, default_leads))
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


async def replan_alerts(
    db: AsyncSession, user: m.User, speaker_id: int, leads: tuple[int, ...], now: datetime
) -> int:
    """A speaker chose other leads: pending alerts at leads no longer wanted are cancelled
    and the wanted ones planned (a cancelled row of the same lead and start comes back).
    The check-in question and the organizers' report are not touched."""
    await db.execute(
        update(m.OutboxMessage)
        .where(
            m.OutboxMessage.kind == SPEAKER_ALERT,
            m.OutboxMessage.recipient_id == user.id,
            m.OutboxMessage.state == PENDING,
        )
        .values(state=CANCELLED)
    )
    sessions = await db.scalars(upcoming_of_speaker(speaker_id, now))
    envelopes = [e for s in sessions.unique() for e in alert_envelopes(user, s, leads, now)]
    return await enqueue(db, envelopes, now, reschedule=True) if envelopes else 0


# --- co-speaker changes (issue #7) ---------------------------------------------------------------
async def people_of_event(db: AsyncSession, event_id: int) -> dict[int, Listed]:
    """Every session of the event with its speakers and moderators, in programme order."""
    sessions = (
        await db.execute(
            select(
                m.Session.id,
                m.Session.title,
                m.Session.starts_at,
                m.Session.ends_at,
                m.Session.cancelled,
            ).where(m.Session.event_id == event_id)
        )
    ).all()
    people: dict[int, list[Person]] = {row.id: [] for row in sessions}
    rows = await db.execute(
        select(m.SessionSpeaker.session_id, m.SessionSpeaker.speaker_id, m.SessionSpeaker.role)
        .join(m.Session, m.Session.id == m.SessionSpeaker.session_id)
        .where(m.Session.event_id == event_id)
        .order_by(m.SessionSpeaker.session_id, m.SessionSpeaker.position)
    )
    for session_id, speaker_id, role in rows.all():
        people[session_id].append((speaker_id, role))
    titles: dict[int, dict[str, str]] = {row.id: {} for row in sessions}
    translated = await db.execute(
        select(
            m.SessionTranslation.session_id, m.SessionTranslation.locale, m.SessionTranslation.title
        )
        .join(m.Session, m.Session.id == m.SessionTranslation.session_id)
        .where(m.Session.event_id == event_id)
    )
    for session_id, locale, title in translated.all():
        titles[session_id][locale] = title
    return {
        row.id: Listed(
            row.title,
            row.starts_at,
            row.ends_at,
            row.cancelled,
            tuple(people[row.id]),
            titles[row.id],
        )
        for row in sessions
    }


async def on_people_changes(
    db: AsyncSession,
    event_id: int,
    before: dict[int, Listed],
    now: datetime,
    default_leads: tuple[int, ...] = DEFAULT_ALERT_LEADS,
) -> int:
    """After an import wrote the sessions, before attendees' notices are queued: the linked
    speakers of every session whose speakers or moderators changed hear who joined and who
    left; a linked speaker taken off a session hears that (their alerts for it are
    cancelled), one put on it hears that and gets its alerts planned.

    Attendees are not told: they plan around times and rooms, and see the people fresh on
    every card. A session cancelled by this import, or over, is no people news."""
    after = await people_of_event(db, event_id)
    changed = people_news(before, after, now)
    if not changed:
        return 0
    involved = {i for change, _, _ in changed for i, _ in change.before + change.after}
    links = {
        link.speaker_id: (link, user)
        for link, user in (
            await db.execute(
                select(m.SpeakerLink, m.User)
                .join(m.User, m.User.id == m.SpeakerLink.user_id)
                .where(m.SpeakerLink.speaker_id.in_(involved), ~m.User.blocked)
            )
        ).all()
    }
    if not links:
        return 0
    found: list[tuple[PeopleChange, Listed, m.Session | None]] = []
    for change, state, present in changed:  # the sessions of linked speakers only
        if any(i in links for i, _ in change.before + change.after):
            row = await db.get(m.Session, change.session_id) if present else None
            found.append((change, state, row))
    names = dict(
        (await db.execute(select(m.Speaker.id, m.Speaker.name).where(m.Speaker.id.in_(involved))))
        .tuples()
        .all()
    )
    organizers: list[m.User] | None = None
    envelopes: list[Envelope] = []
    planned: list[Envelope] = []
    for change, state, row in found:
        subject = f"session:{change.session_id}"
        payload = {
            "session_id": change.session_id,
            "title": state.title,
            "titles": state.titles,
            "starts_at": state.starts_at.astimezone(UTC).isoformat(),
            "ends_at": state.ends_at.astimezone(UTC).isoformat(),
            "joined": [[i, role, names.get(i, "")] for i, role in change.joined],
            "left": [[i, role, names.get(i, "")] for i, role in change.left],
        }
        listed_now = dict.fromkeys(i for i, _ in change.after)
        for speaker_id in [*listed_now, *sorted(change.removed)]:
            if speaker_id not in links:
                continue
            link, user = links[speaker_id]
            you = news_for(change, speaker_id)
            envelopes.append(
                Envelope(
                    SPEAKER_PEOPLE,
                    subject,
                    user.id,
                    now,
                    user.locale,
                    {**payload, "you": you},
                    f"{you or 'team'}-{change.variant}",
                )
            )
            if you == "removed":
                for kind in (SPEAKER_ALERT, SPEAKER_CHECKIN):
                    await cancel(db, kind=kind, subject=subject, recipient_id=user.id)
            elif you == "added" and row is not None and row.starts_at > now:
                if organizers is None:
                    organizers = await _organizers(db)
                leads = leads_for(link.alert_leads, default_leads)
                planned += speaker_envelopes(user, row, now, leads)
                planned += missing_envelopes(organizers, row.starts_at, now)
    told = await enqueue(db, envelopes, now) if envelopes else 0
    if planned:
        await enqueue(db, planned, now)
    return told


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


async def _chosen_leads(db: AsyncSession, user_id: int) -> str | None:
    return await db.scalar(
        select(m.SpeakerLink.alert_leads).where(m.SpeakerLink.user_id == user_id)
    )


async def _organizers(db: AsyncSession) -> list[m.User]:
    return list(
        await db.scalars(select(m.User).where(m.User.role.in_(ORGANIZER_ROLES), ~m.User.blocked))
    )
