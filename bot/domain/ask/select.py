"""Which sessions answer what was understood, at a given moment.

Days said as words become dates here ("tomorrow" needs "now", "Sunday" needs the event's
days), times become moments, and each constraint filters the programme. When nothing is
left, what is nearest is found instead: the sessions before and after in that room, or the
other days that have what was asked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from bot.domain.ask.lexicon import Period
from bot.domain.ask.programme import ProgrammeIndex, SessionFacts
from bot.domain.ask.understand import DayRef, Understood

SOON = timedelta(minutes=30)  # "at 3": running then, or starting within half an hour


@dataclass(frozen=True)
class Selection:
    understood: Understood
    day: date | None  # the day asked about, resolved
    day_outside: bool  # that day has no programme
    moment: datetime | None  # the moment asked about ("at 3", "in an hour"), local
    sessions: tuple[int, ...]  # what answers, in the order to show
    choose_day: bool = False  # a time without a day, and today is no event day: ask which
    nearest: tuple[int, ...] = ()  # nothing matched: the closest sessions instead
    other_days: tuple[tuple[date, int], ...] = ()  # nothing that day: other days that have it
    understood_nothing: bool = False
    language_asked: bool = False  # "is it in Arabic?": the language is the answer, not a filter


@dataclass(frozen=True)
class Overrides:
    """What a button changed: constraints dropped, a day or a person chosen."""

    drop: frozenset[str] = frozenset()  # day, time, room, kind, topic
    day_index: int | None = None
    person: int | None = None


def apply(understood: Understood, overrides: Overrides) -> Understood:
    drop = overrides.drop
    changed = replace(
        understood,
        day=None if "day" in drop else understood.day,
        at=None if "time" in drop else understood.at,
        period=None if "time" in drop else understood.period,
        relative=None if "time" in drop else understood.relative,
        rooms=() if "room" in drop else understood.rooms,
        unknown_room=None if "room" in drop else understood.unknown_room,
        kind=None if "kind" in drop else understood.kind,
        topic=() if "topic" in drop else understood.topic,
    )
    if overrides.day_index is not None:
        changed = replace(changed, day=DayRef("index", overrides.day_index + 1))
    if overrides.person is not None:
        changed = replace(changed, people=(overrides.person,))
    return changed


def select(
    understood: Understood,
    index: ProgrammeIndex,
    now: datetime,
    agenda: Collection[int] | None = None,
) -> Selection:
    if not understood.constrained:
        # nothing we know was asked: never answer with the whole programme
        return Selection(
            understood, None, False, None, (), understood_nothing=not understood.unknown_room
        )
    narrowed = select_filtered(understood, index, now, agenda)
    if narrowed.sessions or not (understood.topic or understood.people):
        return narrowed
    # "is the Tunisian case study in Arabic?": the language is what is asked, not a filter;
    # "Independent Media Panel" typed from a title names a talk: the kind word was the title's
    if understood.language:
        plain = select_filtered(replace(understood, language=None), index, now, agenda)
        if plain.sessions:
            return replace(plain, understood=understood, language_asked=True)
    if understood.kind and understood.topic:
        plain = select_filtered(replace(understood, kind=None), index, now, agenda)
        if plain.sessions:
            return plain
    return narrowed


def select_filtered(
    understood: Understood,
    index: ProgrammeIndex,
    now: datetime,
    agenda: Collection[int] | None = None,
) -> Selection:
    local_now = index.local(now)
    today = local_now.date()
    day = resolve_day(understood.day, index, today)
    day_outside = day is not None and day not in index.event_days
    sessions = list(index.facts.sessions)

    if understood.people_ambiguous:
        sessions = []  # ask which of them
    elif understood.people:
        person = understood.people[0]
        sessions = [s for s in sessions if person in s.people]
    if understood.rooms:
        sessions = [s for s in sessions if s.room_id in understood.rooms]
    if understood.tracks:
        sessions = [s for s in sessions if s.track_id in understood.tracks]
    if understood.kind:
        sessions = [s for s in sessions if s.kind == understood.kind]
    if understood.language:
        sessions = [s for s in sessions if s.language == understood.language]
    if "mine" in understood.asks and agenda is not None:
        sessions = [s for s in sessions if s.id in agenda]
    scores: dict[int, float] = {}
    if understood.topic:
        scores = index.topics.search(understood.topic).scores
        sessions = [s for s in sessions if s.id in scores]
    matching_any_day = sessions

    moment: datetime | None = None
    choose_day = False
    timed = understood.at or understood.relative in ("in_an_hour", "after_lunch")
    if timed and day is None:
        if understood.relative in ("in_an_hour",) or today in index.event_days:
            day = today
        elif len(index.event_days) == 1:
            day = index.event_days[0]
        else:
            choose_day = True
    if day is not None:
        sessions = [s for s in sessions if index.day_of(s) == day]
    if understood.period is not None:
        period = understood.period
        sessions = [s for s in sessions if _in_period(index.local(s.starts_at).time(), period)]
        if day is None and today in index.event_days:
            # "this afternoon", "tonight": today, while the event is on
            sessions = [s for s in sessions if index.day_of(s) == today]
    if understood.at is not None and day is not None:
        moment = datetime.combine(day, understood.at, index.zone)
        sessions = _around(sessions, moment)
    elif understood.relative == "now":
        sessions = [s for s in sessions if s.starts_at <= now < s.ends_at]
    elif understood.relative == "next":
        sessions = _next(sessions, now)
    elif understood.relative == "later":
        sessions = [s for s in sessions if s.starts_at > now and index.day_of(s) == today]
    elif understood.relative == "in_an_hour":
        moment = local_now + timedelta(hours=1)
        sessions = _around(sessions, moment)
    elif understood.relative == "after_lunch" and day is not None:
        lunch_over = index.lunch_end.get(day)
        if lunch_over is not None:
            moment = lunch_over.astimezone(index.zone)
            sessions = [s for s in sessions if lunch_over <= s.starts_at <= lunch_over + SOON]
    if choose_day or (understood.unknown_room and not understood.rooms):
        sessions = []

    if scores:
        sessions.sort(key=lambda s: (-scores[s.id], s.starts_at, s.id))
    selection = Selection(
        understood=understood,
        day=day,
        day_outside=day_outside,
        moment=moment,
        sessions=tuple(s.id for s in sessions),
        choose_day=choose_day,
        understood_nothing=not understood.constrained and not understood.unknown_room,
    )
    if sessions or choose_day or understood.people_ambiguous:
        return selection
    return replace(
        selection,
        nearest=_nearest(understood, index, day, moment),
        other_days=_other_days(matching_any_day, index, day),
    )


def resolve_day(said: DayRef | None, index: ProgrammeIndex, today: date) -> date | None:
    if said is None:
        return None
    days = index.event_days
    if said.kind == "offset":
        return today + timedelta(days=said.value)
    if said.kind == "index":
        position = said.value - 1
        return days[position] if 0 <= position < len(days) else (days[-1] + timedelta(days=999))
    if said.kind == "last":
        return days[-1] if days else None
    if said.kind == "weekday":
        for day in days:
            if day.weekday() == said.value:
                return day
        ahead = (said.value - today.weekday()) % 7
        return today + timedelta(days=ahead)
    if said.kind == "date":
        year = days[0].year if days else today.year
        readings = [(said.value, said.month)]
        if said.other is not None:
            readings.append(said.other)
        dates = [_date(year, d, m) for d, m in readings]
        valid = [d for d in dates if d is not None]
        for candidate in valid:
            if candidate in days:
                return candidate
        return valid[0] if valid else None
    return None


def _date(year: int, day: int, month: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _in_period(moment: time, period: Period) -> bool:
    return period.start <= moment and (period.end is None or moment < period.end)


def _around(sessions: list[SessionFacts], moment: datetime) -> list[SessionFacts]:
    return [
        s
        for s in sessions
        if s.starts_at <= moment < s.ends_at or moment < s.starts_at <= moment + SOON
    ]


def _next(sessions: list[SessionFacts], now: datetime) -> list[SessionFacts]:
    first = min((s.starts_at for s in sessions if s.starts_at > now), default=None)
    if first is None:
        return []
    return [s for s in sessions if first <= s.starts_at <= first + SOON]


def _nearest(
    understood: Understood, index: ProgrammeIndex, day: date | None, moment: datetime | None
) -> tuple[int, ...]:
    """In a room that had nothing then: the session before and the one after."""
    if not understood.rooms or (day is None and moment is None):
        return ()
    in_room = [s for s in index.facts.sessions if s.room_id in understood.rooms]
    if day is not None:
        in_room = [s for s in in_room if index.day_of(s) == day]
    if moment is None or not in_room:
        return ()
    before = [s for s in in_room if s.ends_at <= moment]
    after = [s for s in in_room if s.starts_at > moment]
    found = ([before[-1]] if before else []) + ([after[0]] if after else [])
    return tuple(s.id for s in found)


def _other_days(
    matching: list[SessionFacts], index: ProgrammeIndex, day: date | None
) -> tuple[tuple[date, int], ...]:
    """Nothing on the day asked: how many of the same on each other day."""
    if day is None or len(matching) == len(index.facts.sessions):
        return ()
    counts: dict[date, int] = {}
    for s in matching:
        counts[index.day_of(s)] = counts.get(index.day_of(s), 0) + 1
    return tuple(sorted((d, n) for d, n in counts.items() if d != day))
