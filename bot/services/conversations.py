"""Multi-step dialogues kept in the database, so they survive restarts and work on any
instance; each call runs inside the caller's transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import models as m
from bot.domain.registration import load_state

# A dialogue abandoned for two days is forgotten: text typed after that is a search again,
# not an answer to a question the attendee no longer remembers.
CONVERSATION_TTL = timedelta(days=2)


@dataclass(frozen=True)
class Saved:
    step: str
    data: dict[str, Any]


async def load(db: AsyncSession, user_id: int, flow: str, now: datetime) -> Saved | None:
    row = await db.get(m.Conversation, user_id)
    if row is None or row.flow != flow:
        return None
    if now - row.updated_at > CONVERSATION_TTL:
        await _delete(db, row)
        return None
    return Saved(row.step, load_state(row.data))


async def save(
    db: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Create or replace the user's dialogue (one at a time: a new flow replaces an old one)."""
    text = json.dumps(data, ensure_ascii=False)
    row = await db.get(m.Conversation, user_id)
    if row is None:
        db.add(m.Conversation(user_id=user_id, flow=flow, step=step, data=text, updated_at=now))
        return
    row.flow, row.step, row.data, row.updated_at = flow, step, text, now


async def drop(db: AsyncSession, user_id: int, flow: str) -> bool:
    row = await db.get(m.Conversation, user_id)
    if row is None or row.flow != flow:
        return False
    await _delete(db, row)
    return True


async def _delete(db: AsyncSession, row: m.Conversation) -> None:
    """Delete now, so a later `save` in the same transaction inserts a fresh row."""
    await db.delete(row)
    await db.flush()
