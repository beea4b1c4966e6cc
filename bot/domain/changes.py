"""Schedule changes: what moved, what was cancelled, and whether bookmarkers should hear it.

A change compares a session's slot (time, room, cancelled) before and after an import or an
organizer's edit. Titles and speakers are not part of it: they are shown fresh anyway.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class SlotState:
    starts_at: datetime
    ends_at: datetime
    room: str | None  # the room's stable key
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "starts_at": self.starts_at.astimezone(UTC).isoformat(),
            "ends_at": self.ends_at.astimezone(UTC).isoformat(),
            "room": self.room,
            "cancelled": self.cancelled,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SlotState:
        return cls(
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            room=data.get("room"),
            cancelled=bool(data.get("cancelled")),
        )


@dataclass(frozen=True)
class SessionChange:
    """One session's slot before and after; ImportSummary lists these (a dry run prints them)."""

    session_id: int
    key: str
    title: str
    before: SlotState
    after: SlotState
    removed: bool = False  # missing from the imported programme, so cancelled

    @property
    def retimed(self) -> bool:
        return (self.before.starts_at, self.before.ends_at) != (
            self.after.starts_at,
            self.after.ends_at,
        )

    @property
    def moved_room(self) -> bool:
        return self.before.room != self.after.room

    @property
    def cancelled(self) -> bool:
        return self.after.cancelled and not self.before.cancelled

    @property
    def restored(self) -> bool:
        return self.before.cancelled and not self.after.cancelled

    def describe(self) -> str:
        """One line for logs and the import dry run (English, not for attendees)."""
        if self.cancelled:
            return f"{self.key}: {'removed' if self.removed else 'cancelled'}"
        parts = ["restored"] if self.restored else []
        if self.retimed:
            parts.append(
                f"{self.before.starts_at.isoformat()} -> {self.after.starts_at.isoformat()}"
                f" (ends {self.after.ends_at.isoformat()})"
            )
        if self.moved_room:
            parts.append(f"room {self.before.room} -> {self.after.room}")
        return f"{self.key}: {', '.join(parts)}"


def detect_change(
    session_id: int,
    key: str,
    title: str,
    before: SlotState,
    after: SlotState,
    *,
    removed: bool = False,
) -> SessionChange | None:
    """A change record, or None when nothing an attendee plans around has changed.

    A cancelled session that stays cancelled has no news, even if its time was edited.
    """
    if before == after or (before.cancelled and after.cancelled):
        return None
    return SessionChange(session_id, key, title, before, after, removed)


def notice_variant(before: SlotState, after: SlotState) -> str:
    """A short hash that makes a change notice idempotent: the same change announced twice
    (two racing imports) is one message, while any other change is a new one. Both states
    count, so moving A -> B -> C -> B tells the last move too."""
    text = repr((sorted(before.to_json().items()), sorted(after.to_json().items())))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def worth_telling(before: SlotState, after: SlotState, now: datetime) -> bool:
    """Editing sessions that are over (tidying the record) is no news for anyone."""
    return max(before.ends_at, after.ends_at) > now
