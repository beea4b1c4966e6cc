"""Rules of a personal agenda: which bookmarked sessions overlap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Slot:
    id: int
    starts_at: datetime
    ends_at: datetime


def clashes(slots: Sequence[Slot]) -> dict[int, list[int]]:
    """For each session, the others it overlaps (touching end-to-start is not a clash)."""
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.ends_at, s.id))
    found: dict[int, list[int]] = {s.id: [] for s in ordered}
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            found[first.id].append(second.id)
            found[second.id].append(first.id)
    return found
