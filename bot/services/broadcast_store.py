"""Broadcast rows in the database: the draft kept in `conversations`, the broadcast written
with one outbox row per recipient, and the views and figures read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.attachments import Attachment, AttachmentKind
from bot.domain.broadcast_views import BroadcastView, Content, Figures, State
from bot.domain.broadcasts import Audience, AudienceKind, Draft, Step
from bot.domain.outbox_kinds import BROADCAST
from bot.services import audiences, conversations
from bot.services.outbox import Envelope, enqueue

FLOW = "broadcast"
# Rows per INSERT: PostgreSQL (asyncpg) and SQLite take at most 32,767 bound parameters.
ENQUEUE_CHUNK = 1000


@dataclass(frozen=True)
class SavedDraft:
    step: Step
    draft: Draft
    broadcast_id: int | None = None  # once confirmed


def subject(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


async def load_draft(
    db: AsyncSession, user_id: int, now: datetime, *, lock: bool = False
) -> SavedDraft | None:
    """The organizer's draft; `lock` serializes two Confirms of it (PostgreSQL row lock)."""
    if lock:
        await db.get(m.Conversation, user_id, with_for_update=True)
    saved = await conversations.load(db, user_id, FLOW, now)
    if saved is None:
        return None
    draft = Draft.from_json(saved.data.get("draft") or {})
    try:
        step = Step(saved.step)
    except ValueError:
        step = None
    if draft is None or step is None:  # written by another version: start again
        await conversations.drop(db, user_id, FLOW)
        return None
    broadcast_id = saved.data.get("broadcast")
    return SavedDraft(step, draft, broadcast_id if isinstance(broadcast_id, int) else None)


async def save_draft(
    db: AsyncSession,
    user_id: int,
    step: Step,
    draft: Draft,
    now: datetime,
    broadcast_id: int | None = None,
) -> None:
    data = {"draft": draft.to_json(), "broadcast": broadcast_id}
    await conversations.save(db, user_id, FLOW, step.value, data, now)


async def create(
    db: AsyncSession,
    draft: Draft,
    audience: Audience,
    people: Sequence[tuple[int, str]],
    *,
    creator_id: int,
    send_at: datetime,
    now: datetime,
    progress: tuple[int, int] | None,
) -> m.Broadcast:
    """The broadcast and its outbox rows, in the caller's transaction."""
    row = m.Broadcast(
        token=draft.token,
        creator_id=creator_id,
        audience=audience.kind.value,
        audience_value=audience.value,
        default_locale=draft.default_locale,
        texts=json.dumps(draft.texts, ensure_ascii=False, sort_keys=True),
        attachment_kind=draft.attachment.kind if draft.attachment else None,
        attachment_file_id=draft.attachment.file_id if draft.attachment else None,
        scheduled_at=send_at,
        state=State.SCHEDULED if send_at > now else State.SENDING,
        progress_chat_id=progress[0] if progress else None,
        progress_message_id=progress[1] if progress else None,
        total=len(people),
        created_at=now,
    )
    db.add(row)
    await db.flush()  # the id names the outbox subject
    payload = {"broadcast_id": row.id}
    for start in range(0, len(people), ENQUEUE_CHUNK):
        envelopes = [
            Envelope(BROADCAST, subject(row.id), user_id, send_at, locale, payload)
            for user_id, locale in people[start : start + ENQUEUE_CHUNK]
        ]
        await enqueue(db, envelopes, now)
    return row


async def figures(db: AsyncSession, broadcast_id: int) -> Figures:
    outbox = m.OutboxMessage
    unreachable = func.coalesce(outbox.last_error, "").like("unreachable%").label("unreachable")
    rows = await db.execute(
        select(outbox.state, unreachable, func.count())
        .where(outbox.kind == BROADCAST, outbox.subject == subject(broadcast_id))
        .group_by(outbox.state, unreachable)
    )
    return Figures.of((state, bool(flag), int(n)) for state, flag, n in rows.all())


async def view(
    db: AsyncSession, row: m.Broadcast, locale: str, figures_now: Figures | None = None
) -> BroadcastView:
    audience = audience_of(row)
    content = content_of(row)
    texts = content.texts
    return BroadcastView(
        id=row.id,
        audience=audience,
        audience_label=await audiences.label(db, audience, locale),
        default_locale=row.default_locale,
        versions=(row.default_locale, *sorted(t for t in texts if t != row.default_locale)),
        attachment=content.attachment,
        scheduled_at=row.scheduled_at,
        created_at=row.created_at,
        state=State(row.state),
        total=row.total,
        figures=figures_now or await figures(db, row.id),
    )


def audience_of(row: m.Broadcast) -> Audience:
    return Audience(AudienceKind(row.audience), row.audience_value)


def content_of(row: m.Broadcast) -> Content:
    texts = {str(k): str(v) for k, v in dict(json.loads(row.texts)).items()}
    attachment = None
    if row.attachment_file_id:
        kind: AttachmentKind = "photo" if row.attachment_kind == "photo" else "document"
        attachment = Attachment(kind, row.attachment_file_id)
    return Content(texts, row.default_locale, attachment)
