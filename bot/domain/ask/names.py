"""Finding rooms, people and tracks by any of their names, with typos and partial names.

Each name is cut into tokens as questions are; a question's words are looked up exactly, then
(for words of four letters or more) with rapidfuzz among the tokens of every name. A thing's
score is the rarity-weighted share of one of its names that the question holds, so "studio 1"
finds "Workshop Studio 1" and not "Workshop Studio 2", and "hall" alone finds no room.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.domain.ask.tokens import strip_article, words_of

FUZZY_MIN_LENGTH = 4
FUZZY_CUTOFF = 80.0
# Particles inside names that identify nobody alone: "Al-Khatib", "bin", "van der".
PARTICLES = frozenset(
    {
        "al",
        "el",
        "bin",
        "binti",
        "bint",
        "ibn",
        "abu",
        "van",
        "der",
        "de",
        "la",
        "le",
        "von",
        "da",
        "du",
        "mohd",
        "muhammad",
        "wan",
        "nor",
        "siti",
    }
)


@dataclass(frozen=True)
class Named:
    """A room, person or track: its id and every name it has in every language."""

    id: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    id: int
    score: float  # 0..1: how much of its best name the question holds, by rarity
    positions: frozenset[int]  # question tokens it used
    whole: bool  # every distinctive token of a name is there
    exact: bool  # no word was matched through a typo


def name_tokens(name: str) -> list[str]:
    """A name's tokens, with "Al-Khatib", "Alkhatib" and "الخطيب" all giving "khatib"."""
    found: list[str] = []
    for token in words_of(name):
        token = strip_article(token)
        if token.startswith(("al", "el")) and len(token) >= 6 and token[2] not in "aeiou":
            found.append(token[2:])  # "alkhatib", "eltayeb"
        found.append(token)
    return found


class NameIndex:
    """One kind of thing (rooms, or people, or tracks), searchable by name."""

    def __init__(
        self, things: Iterable[Named], ignore: Iterable[str] = (), skip: Iterable[str] = ()
    ) -> None:
        self._names: dict[int, list[list[str]]] = defaultdict(list)
        holders: dict[str, set[int]] = defaultdict(set)
        self._ignore = frozenset(ignore) | PARTICLES
        self._skip = frozenset(skip)  # words never looked up ("hari" is no one's name here)
        for thing in things:
            for name in thing.names:
                tokens = [t for t in dict.fromkeys(name_tokens(name)) if t]
                if tokens and tokens not in self._names[thing.id]:
                    self._names[thing.id].append(tokens)
                    for token in tokens:
                        holders[token].add(thing.id)
        self._holders = dict(holders)
        self._vocabulary = [t for t in self._holders if len(t) >= FUZZY_MIN_LENGTH]
        count = max(len(self._names), 1)
        self._weight = {t: math.log(1 + count / len(ids)) for t, ids in self._holders.items()}

    def __len__(self) -> int:
        return len(self._names)

    def holders(self, token: str) -> set[int]:
        return self._holders.get(token, set())

    def find(self, words: Sequence[str | None]) -> list[Found]:
        """Things named in `words` (None marks a token already used for something else),
        best first."""
        # question position -> {name token: similarity}
        hits: dict[int, dict[str, float]] = {}
        for position, word in enumerate(words):
            if word is None or word in self._skip:
                continue
            options = {word: 1.0} if word in self._holders else {}
            bare = strip_article(word)
            if bare in self._holders:
                options[bare] = 1.0
            if not options and len(bare) >= FUZZY_MIN_LENGTH and not bare.isdigit():
                for token, similarity, _ in process.extract(
                    bare, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
                ):
                    if abs(len(token) - len(bare)) <= 2:
                        options[token] = similarity / 100
            if options:
                hits[position] = options
        candidates: set[int] = set()
        for options in hits.values():
            for token in options:
                candidates |= self._holders[token]
        found = [f for thing in candidates if (f := self._score(thing, hits, words)) is not None]
        return sorted(found, key=lambda f: (-f.score, -len(f.positions), f.id))

    def _score(
        self, thing: int, hits: dict[int, dict[str, float]], words: Sequence[str | None]
    ) -> Found | None:
        best: Found | None = None
        for tokens in self._names[thing]:
            distinctive = [t for t in tokens if t not in self._ignore] or tokens
            total = sum(self._weight[t] for t in distinctive)
            got = 0.0
            used: set[int] = set()
            matched: set[str] = set()
            exact = True
            for position, options in hits.items():
                for token, similarity in options.items():
                    if token in tokens and token not in matched:
                        matched.add(token)
                        used.add(position)
                        exact = exact and similarity >= 1.0
                        if token in distinctive:
                            got += self._weight[token] * similarity
                        break
            # a number or a particle names nothing alone: "1" needs "studio" beside it
            meaningful = {p for p in used if not (words[p] or "").isdigit()}
            if not meaningful or total == 0 or got == 0:
                continue
            whole = all(t in matched for t in distinctive)
            found = Found(thing, got / total, frozenset(used), whole, exact)
            if best is None or (found.score, found.whole) > (best.score, best.whole):
                best = found
        return best
