"""From a question in any of our languages to what it asks about: `Understood`.

The question is cut into tokens, then read in passes, each taking the tokens it uses so the
next cannot reuse them: dates and clock times, phrases from the word files (days, parts of
the day, now/next, kinds, languages, question words), then names of rooms, people and tracks,
then bare hours; what is left, less stop words, is the topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from bot.domain.ask.lexicon import MAX_PHRASE, Lexicon, Meaning, Period, lexicon
from bot.domain.ask.names import PARTICLES, Found
from bot.domain.ask.programme import ProgrammeIndex
from bot.domain.ask.tokens import Kind, Token, tokenize

# A person or room must hold at least this share of one of its names (by rarity).
NAME_MIN_SCORE = 0.4
TIE = 0.05
# A name found by only part of it ("media" of "Immersive Media Lab") must not be a word that
# many sessions are about, unless a room word or a number stands beside it ("media lab").
COMMON_IN_CONTENT = 3
# Urdu کل (U+06A9) is "tomorrow" (or "yesterday"); Arabic كل (U+0643) is "every".
_URDU_KAL = re.compile(r"(?<!\w)کل(?!\w)")


@dataclass(frozen=True)
class DayRef:
    """A day as said: an offset from today, a weekday, a date, or the event's n-th day."""

    kind: str  # offset | weekday | date | index | last
    value: int = 0
    month: int = 0  # for dates
    other: tuple[int, int] | None = None  # a date like 9/12 read the other way round


@dataclass(frozen=True)
class Understood:
    text: str
    day: DayRef | None = None
    at: time | None = None
    hour_guessed: bool = False  # an hour without am/pm, read within the programme's hours
    period: Period | None = None
    relative: str | None = None  # now, next, later, in_an_hour, after_lunch
    rooms: tuple[int, ...] = ()
    unknown_room: str | None = None  # "hall b": a room word with a name we do not have
    people: tuple[int, ...] = ()  # one, or several equally good (ask back)
    kind: str | None = None
    tracks: tuple[int, ...] = ()
    language: str | None = None
    topic: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()  # topic words the programme has nowhere
    asks: frozenset[str] = field(default_factory=frozenset)  # when, where, who, seats, ...

    @property
    def people_ambiguous(self) -> bool:
        return len(self.people) > 1

    @property
    def constrained(self) -> bool:
        return bool(
            self.day
            or self.at
            or self.period
            or self.relative
            or self.rooms
            or self.people
            or self.kind
            or self.tracks
            or self.language
            or self.topic
        )


@dataclass
class _Said:
    """What the passes found so far (each pass fills its part)."""

    day: DayRef | None = None
    at: time | None = None
    hour_guessed: bool = False
    period: Period | None = None
    relative: str | None = None
    rooms: tuple[int, ...] = ()
    unknown_room: str | None = None
    people: tuple[int, ...] = ()
    kind: str | None = None
    tracks: tuple[int, ...] = ()
    language: str | None = None
    asks: set[str] = field(default_factory=set)


class _Reading:
    """The tokens of one question and which of them are still free."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.free = [True] * len(tokens)

    def take(self, *positions: int) -> None:
        for p in positions:
            self.free[p] = False

    def word(self, p: int) -> str | None:
        if 0 <= p < len(self.tokens) and self.free[p]:
            return self.tokens[p].text
        return None

    def words(self) -> list[str | None]:
        return [t.text if free else None for t, free in zip(self.tokens, self.free, strict=True)]


def understand(text: str, index: ProgrammeIndex) -> Understood:
    words = lexicon()
    reading = _Reading(tokenize(text))
    phrases = _phrases(reading, words)
    found = _Said()
    _dates(reading, phrases, found)
    _clock(reading, phrases, words, found, index)
    _days_and_words(reading, phrases, words, found, urdu_kal=bool(_URDU_KAL.search(text)))
    _names(reading, index, words, found)
    _bare_hour(reading, found, index)
    free = _with_synonyms([w for w in reading.words() if w is not None], words)
    topic = [
        w
        for w in free
        if w in words.synonym_words
        or (
            w not in words.stop
            and w not in words.generic_rooms
            and w not in PARTICLES
            and not w.isdigit()
            and len(w) >= 2
        )
    ]
    topic = list(dict.fromkeys(topic))
    known = [w for w in topic if index.topics.knows(w)]
    unknown = [w for w in topic if w not in known]
    if len(unknown) > len(known):
        known = []  # mostly words the programme never uses: say so rather than guess
    return Understood(
        text=text,
        day=found.day,
        at=found.at,
        hour_guessed=found.hour_guessed,
        period=found.period,
        relative=found.relative,
        rooms=found.rooms,
        unknown_room=found.unknown_room,
        people=found.people,
        kind=found.kind,
        tracks=found.tracks,
        language=found.language,
        topic=tuple(known),
        unknown=tuple(unknown),
        asks=frozenset(found.asks),
    )


def _with_synonyms(topic: list[str], words: Lexicon) -> list[str]:
    """Topic words with a phrase the word files map to the programme's own words replaced
    ("محو الأمية الإعلامية" is called "التربية الإعلامية" in the programme). One pass, left
    to right, longest phrase first: a replacement is never replaced again."""
    phrases = sorted(words.synonyms.items(), key=lambda item: -len(item[0]))
    result: list[str] = []
    position = 0
    while position < len(topic):
        for phrase, canonical in phrases:
            if tuple(topic[position : position + len(phrase)]) == phrase:
                result += canonical
                position += len(phrase)
                break
        else:
            result.append(topic[position])
            position += 1
    return result


Phrase = tuple[int, int, set[Meaning]]  # start, end (exclusive), meanings


def _phrases(reading: _Reading, words: Lexicon) -> list[Phrase]:
    """Every known phrase in the question, longest first at each position, not overlapping."""
    found: list[Phrase] = []
    tokens = [t.text for t in reading.tokens]
    p = 0
    while p < len(tokens):
        for length in range(min(MAX_PHRASE, len(tokens) - p), 0, -1):
            meanings = words.meanings(tuple(tokens[p : p + length]))
            if meanings:
                found.append((p, p + length, meanings))
                p += length
                break
        else:
            p += 1
    return found


def _meaning(phrase: Phrase, section: str) -> str | None:
    for m in phrase[2]:
        if m.section == section:
            return m.value
    return None


def _meanings(phrase: Phrase, section: str) -> set[str]:
    return {m.value for m in phrase[2] if m.section == section}


def _dates(reading: _Reading, phrases: list[Phrase], found: _Said) -> None:
    tokens = reading.tokens
    for p, token in enumerate(tokens):
        if token.kind is Kind.DATE and reading.free[p]:
            parts = [int(x) for x in token.text.split("/")[:2]]
            first, second = parts
            if 1 <= second <= 12 and 1 <= first <= 31:
                other = (second, first) if 1 <= first <= 12 and 1 <= second <= 31 else None
                found.day = DayRef("date", first, second, other)
                reading.take(p)
                return
    for phrase in phrases:
        month = _meaning(phrase, "month")
        if month is None:
            continue
        start, end = phrase[0], phrase[1]
        for q in (start - 1, end, start - 2):
            if 0 <= q < len(tokens) and reading.free[q] and tokens[q].kind is Kind.NUMBER:
                day = int(tokens[q].text)
                if 1 <= day <= 31:
                    found.day = DayRef("date", day, int(month))
                    reading.take(q, *range(start, end))
                    return


def _clock(
    reading: _Reading,
    phrases: list[Phrase],
    words: Lexicon,
    found: _Said,
    index: ProgrammeIndex,
) -> None:
    """A clock time: "10:30", "3 pm", "pukul 3 petang", "الساعة ٣ مساءً", "سہ پہر 3 بجے"."""
    tokens = reading.tokens
    by_start = {p[0]: p for p in phrases}
    by_end = {p[1]: p for p in phrases}
    for p, token in enumerate(tokens):
        if not reading.free[p] or token.kind not in (Kind.CLOCK, Kind.NUMBER):
            continue
        if token.kind is Kind.CLOCK:
            hour, minute = (int(x) for x in token.text.split(":"))
        else:
            hour, minute = int(token.text), 0
        if hour > 24 or minute > 59:
            continue
        used = [p]
        marker = False
        half: str | None = None
        period: Period | None = None
        for neighbour in (by_start.get(p + 1), by_end.get(p)):
            if neighbour is None:
                continue
            clock = _meaning(neighbour, "clock")
            named_period = _meaning(neighbour, "periods")
            if clock in ("am", "pm"):
                half = clock
            elif clock in ("at", "oclock"):
                marker = True
            if named_period is not None:
                period = words.periods[named_period]
            if clock or named_period:
                used += list(range(neighbour[0], neighbour[1]))
                # "pukul 3 petang": a marker before, a period after
                beyond = (
                    by_start.get(neighbour[1]) if neighbour[0] > p else by_end.get(neighbour[0])
                )
                if beyond is not None:
                    if _meaning(beyond, "periods") is not None and period is None:
                        period = words.periods[_meaning(beyond, "periods") or ""]
                        used += list(range(beyond[0], beyond[1]))
                    elif _meaning(beyond, "clock") in ("at", "oclock"):
                        marker = True
                        used += list(range(beyond[0], beyond[1]))
        if token.kind is Kind.NUMBER and not (marker or half or period):
            continue
        if token.kind is Kind.NUMBER and hour == 0:
            continue
        clock_time, guessed = _hour(hour, minute, half, period, index)
        if clock_time is None:
            continue
        found.at = clock_time
        found.hour_guessed = guessed
        reading.take(*used)
        return


def _hour(
    hour: int, minute: int, half: str | None, period: Period | None, index: ProgrammeIndex
) -> tuple[time | None, bool]:
    if hour == 24:
        hour = 0
    if half == "pm" and hour < 12:
        return time(hour + 12, minute), False
    if half == "am":
        return time(0 if hour == 12 else hour, minute), False
    if hour >= 13 or hour == 0:
        return time(hour, minute), False
    if period is not None:
        for candidate in (hour, hour + 12 if hour < 12 else hour):
            if candidate < 24 and _within(time(candidate, minute), period):
                return time(candidate, minute), False
        afternoon = period.start >= time(12)
        return time(hour + 12 if afternoon and hour < 12 else hour, minute), False
    # "4" at a daytime event is 16:00; "9" is 09:00; "12" is noon
    morning = time(hour % 12, minute)
    evening = time(hour % 12 + 12, minute)
    inside = [t for t in (morning, evening) if index.first_hour <= t.hour < max(index.last_hour, 1)]
    if hour == 12:
        return time(12, minute), True
    return (inside[0] if inside else time(hour, minute)), True


def _within(moment: time, period: Period) -> bool:
    return period.start <= moment and (period.end is None or moment < period.end)


def _days_and_words(
    reading: _Reading,
    phrases: list[Phrase],
    words: Lexicon,
    found: _Said,
    *,
    urdu_kal: bool,
) -> None:
    tokens = reading.tokens
    past = any(t.text in words.past_markers for t in tokens)
    asks: set[str] = set()
    for phrase in phrases:  # a weekday wins over a day word: "يوم الأحد" is Sunday
        weekday = _meaning(phrase, "weekday")
        if weekday is not None and found.day is None:
            found.day = DayRef("weekday", int(weekday))
            reading.take(*range(phrase[0], phrase[1]))
    for index, phrase in enumerate(phrases):
        start, end, _ = phrase
        if not all(reading.free[p] for p in range(start, end)):
            continue
        span = range(start, end)
        # "day 2", "2nd day", "hari kedua", "اليوم الثاني", "دوسرے دن"
        days = _meanings(phrase, "days")
        if "day" in days and found.day is None:
            n = _ordinal_near(reading, phrases, index)
            if n is not None:
                found.day = DayRef("index", n[0])
                reading.take(*span, *n[1])
                continue
        value = next(iter(sorted(days - {"day"})), None)
        if value in ("today", "tomorrow", "after_tomorrow", "yesterday") and found.day is None:
            text = " ".join(t.text for t in tokens[start:end])
            if value == "tomorrow" and text == "كل" and not urdu_kal:
                continue  # Arabic "every"
            if value == "tomorrow" and text == "كل" and past:
                value = "yesterday"
            offset = {"today": 0, "tomorrow": 1, "after_tomorrow": 2, "yesterday": -1}[value]
            found.day = DayRef("offset", offset)
            reading.take(*span)
            continue
        if value in ("first", "last") and found.day is None:
            found.day = DayRef("index", 1) if value == "first" else DayRef("last")
            reading.take(*span)
            continue
        period = _meaning(phrase, "periods")
        if period is not None:
            if found.period is None and found.at is None:
                found.period = words.periods[period]
            reading.take(*span)
            continue
        relative = _meaning(phrase, "relative")
        if relative is not None:
            found.relative = found.relative or relative
            reading.take(*span)
            continue
        kind = _meaning(phrase, "kinds")
        if kind is not None:
            found.kind = found.kind or kind
            reading.take(*span)
            continue
        language = _meaning(phrase, "languages")
        if language is not None:
            found.language = found.language or language
            reading.take(*span)
            continue
        ask = _meaning(phrase, "asks")
        if ask is not None:
            asks.add(ask)
            reading.take(*span)
            continue
        if _meaning(phrase, "clock") == "at":
            reading.take(*span)
    found.asks = asks


def _ordinal_near(
    reading: _Reading, phrases: list[Phrase], position: int
) -> tuple[int, list[int]] | None:
    """The number next to the "day" word at `phrases[position]`: "day 2", "hari ke-2"."""
    start, end, _ = phrases[position]
    tokens = reading.tokens
    for q in (end, end + 1, start - 1):
        if 0 <= q < len(tokens) and reading.free[q] and tokens[q].kind is Kind.NUMBER:
            between = range(min(end, q), max(end, q)) if q >= end else range(q, q)
            return int(tokens[q].text), [q, *between]
    for neighbour in (position + 1, position - 1):
        if 0 <= neighbour < len(phrases):
            other = phrases[neighbour]
            if other[0] == end or other[1] == start:
                ordinal = _meaning(other, "ordinals")
                if ordinal is not None:
                    return int(ordinal), list(range(other[0], other[1]))
    return None


def _names(reading: _Reading, index: ProgrammeIndex, words: Lexicon, found: _Said) -> None:
    def plausible(f: Found, context: frozenset[str]) -> bool:
        if f.whole:
            return True
        if not f.exact:
            return False  # a typo in part of a name: too easily a different word
        said = [reading.tokens[p].text for p in f.positions]
        if any(w in context or w.isdigit() for w in said):
            return True
        return all(index.topics.in_content(w) <= COMMON_IN_CONTENT for w in said)

    generic = frozenset(words.generic_rooms)
    rooms = [r for r in _confident(index.rooms.find(reading.words())) if plausible(r, generic)]
    if rooms:
        found.rooms = tuple(r.id for r in rooms[:1])
        reading.take(*rooms[0].positions)
    else:
        _unknown_room(reading, words, found)
    tracks = [t for t in index.tracks.find(reading.words()) if t.whole and t.score >= 0.99]
    if tracks:
        found.tracks = (tracks[0].id,)
        reading.take(*tracks[0].positions)
    people = [
        p for p in _confident(index.people.find(reading.words())) if plausible(p, frozenset())
    ]
    if people:
        best = people[0]
        tied = [p for p in people if best.score - p.score <= TIE and p.whole == best.whole]
        found.people = tuple(p.id for p in tied) if not best.whole else (best.id,)
        for p in tied:
            reading.take(*p.positions)


def _confident(found: list[Found]) -> list[Found]:
    return [f for f in found if f.whole or f.score >= NAME_MIN_SCORE]


def _unknown_room(reading: _Reading, words: Lexicon, found: _Said) -> None:
    """ "Hall B", "Dewan C", "ہال بی": a room word and a short name we do not have."""
    tokens = reading.tokens
    for p, token in enumerate(tokens):
        if reading.free[p] and token.text in words.generic_rooms:
            for q in (p + 1, p - 1):
                other = reading.word(q)
                if other is not None and other not in words.stop and len(other) <= 3:
                    first, second = sorted((p, q))
                    found.unknown_room = f"{tokens[first].text} {tokens[second].text}"
                    reading.take(p, q)
                    return


def _bare_hour(reading: _Reading, found: _Said, index: ProgrammeIndex) -> None:
    """ "anything at 4 tomorrow": an hour alone, once a day or part of the day was said."""
    if found.at is not None or not (
        found.day is not None or found.period is not None or found.asks
    ):
        return
    for p, token in enumerate(reading.tokens):
        if reading.free[p] and token.kind in (Kind.NUMBER, Kind.CLOCK):
            if token.kind is Kind.CLOCK:
                hour, minute = (int(x) for x in token.text.split(":"))
            else:
                hour, minute = int(token.text), 0
            if not (1 <= hour <= 23 and minute <= 59):
                continue
            clock_time, guessed = _hour(hour, minute, None, found.period, index)
            if clock_time is not None:
                found.at = clock_time
                found.hour_guessed = guessed
                found.period = None
                reading.take(p)
                return
