"""Rooms, tracks and people as the rows of a spreadsheet mention them, settled into one each.

A CSV repeats a room's key, name and translations on every session row, and an organizer who
moves a session edits the room's name on that row and rarely its key or translation cells.
So a key's name is the one most of its rows give, and a row whose name disagrees (and is none
of the key's translations) is taken to name another room: it is matched by that name alone,
and its stale key and translation cells are ignored. To rename a room, rename it on every row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.domain.text import name_key
from bot.importers.text import slugify


@dataclass(frozen=True)
class Mention:
    key: str  # the key cell, "" when there is none
    name: str
    names: dict[str, str] = field(default_factory=dict)  # locale -> name
    capacity: int | None = None


@dataclass(frozen=True)
class Settled:
    key: str
    name: str
    names: dict[str, str]
    capacity: int | None
    by_name: bool  # match by the name only (a stale key cell was ignored)


class Mentions:
    def __init__(self) -> None:
        self._all: list[Mention] = []

    def add(self, mention: Mention) -> int:
        self._all.append(mention)
        return len(self._all) - 1

    def settle(self) -> list[Settled]:
        """One settled entry per mention, in the order they were added."""
        by_key: dict[str, list[Mention]] = {}
        for mention in self._all:
            if mention.key:
                by_key.setdefault(mention.key, []).append(mention)
        agreed = {key: _agreed(mentions) for key, mentions in by_key.items()}
        settled = []
        for mention in self._all:
            if not mention.key:
                settled.append(
                    Settled(
                        slugify(mention.name), mention.name, mention.names, mention.capacity, False
                    )
                )
                continue
            name, accepted, names, capacity = agreed[mention.key]
            if not mention.name or name_key(mention.name) in accepted:
                settled.append(Settled(mention.key, name, names, capacity, False))
            else:
                settled.append(Settled(slugify(mention.name), mention.name, {}, None, True))
        return settled


def _agreed(mentions: list[Mention]) -> tuple[str, set[str], dict[str, str], int | None]:
    """The key's name (most rows; the first on a tie), the names that agree with it, the
    translations and capacity those rows give (the first filled cell wins)."""
    named = [m for m in mentions if m.name]
    if not named:
        return "", set(), _merged(mentions), _capacity(mentions)
    votes = Counter(name_key(m.name) for m in named)
    top = max(votes.values())
    winner = next(m for m in named if votes[name_key(m.name)] == top)
    agreeing = [m for m in mentions if not m.name or name_key(m.name) == name_key(winner.name)]
    names = _merged(agreeing)
    accepted = {name_key(winner.name)} | {name_key(text) for text in names.values()}
    agreeing = [m for m in mentions if not m.name or name_key(m.name) in accepted]
    return winner.name, accepted, _merged(agreeing), _capacity(agreeing)


def _merged(mentions: list[Mention]) -> dict[str, str]:
    names: dict[str, str] = {}
    for mention in mentions:
        for locale, text in mention.names.items():
            names.setdefault(locale, text)
    return names


def _capacity(mentions: list[Mention]) -> int | None:
    return next((m.capacity for m in mentions if m.capacity is not None), None)
