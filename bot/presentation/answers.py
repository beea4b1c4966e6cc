"""Answers to questions: a direct answer, what was understood, the sessions, ways to widen.

First marks tell the kind of answer at a glance (and let tests tell them apart in any
language): 🔎 sessions found, 🤔 a question asked back, 🤷 nothing found.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace

from markupsafe import Markup

from bot.domain.ask.select import Overrides
from bot.domain.ask_views import Answer, Echo
from bot.domain.programme import SessionKind
from bot.domain.text import shorten
from bot.domain.views import SessionSummary, SpeakerSummary
from bot.i18n import Localizer, isolate
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import ORIGIN_SEARCH, cb
from bot.presentation.people import speaker_button, speaker_label
from bot.presentation.programme import (
    LINE_TITLE_LIMIT,
    NAME_LIMIT,
    day_label,
    fit,
    kind_name,
    plain,
    reading_order,
    session_button,
    session_line,
)

_DROP_CODES = {"day": "d", "time": "t", "room": "r", "kind": "k", "topic": "p"}
# What the asker typed is echoed shortened: a question may be a whole message (4,096
# characters with /search), and the answer is what they came for.
ECHO_LIMIT = 100
WORD_LIMIT = 40
LISTED_CHOICES = 20  # people to choose from, a button each
LISTED_WORDS = 8  # words the programme never mentions, as echoed
_CODES_DROP = {code: name for name, code in _DROP_CODES.items()}


def refine(question_id: int | None, overrides: Overrides, *, page: int = 0, pick: str = "") -> str:
    """The callback data of a button that re-asks the question, changed."""
    flags = "".join(sorted(_DROP_CODES[d] for d in overrides.drop))
    if pick == "" and overrides.day_index is not None:
        pick = f"d{overrides.day_index}"
    elif pick == "" and overrides.person is not None:
        pick = f"p{overrides.person}"
    return cb(verbs.REFINE, question_id or 0, flags, page, pick)


def parse_refine(args: Sequence[str]) -> tuple[int, Overrides, int] | None:
    """The question id, overrides and page of an `ak:` button; None when forged."""
    try:
        question_id, flags, page, pick = args
        drop = frozenset(_CODES_DROP[c] for c in flags)
        day_index = int(pick[1:]) if pick.startswith("d") else None
        person = int(pick[1:]) if pick.startswith("p") else None
        if pick and day_index is None and person is None:
            return None
        return int(question_id), Overrides(drop, day_index, person), int(page)
    except (KeyError, ValueError):
        return None


def answer_reply(l10n: Localizer, answer: Answer) -> Reply:
    answer = _for_display(answer)
    if answer.choices:
        return _choose_person(l10n, answer)
    if answer.choose_day:
        return _choose_day(l10n, answer)
    if not answer.sessions:
        return _nothing(l10n, answer)
    lines: list[str] = []
    direct = _direct(l10n, answer)
    if direct:
        lines += [direct, ""]
    lines.append(_echo_line(l10n, answer))
    if answer.pages > 1:
        lines.append(
            l10n.ngettext(
                "{n} session, page {page} of {pages}:",
                "{n} sessions, page {page} of {pages}:",
                answer.total,
                page=l10n.number(answer.page + 1),
                pages=l10n.number(answer.pages),
            )
        )
    lines.append("")
    lines += [session_line(l10n, s, show_day=True) for s in answer.sessions]
    rows: list[tuple[Button, ...]] = [
        (session_button(l10n, s, ORIGIN_SEARCH),) for s in answer.sessions
    ]
    if answer.person is not None:
        rows.insert(0, (speaker_button(answer.person),))
    nav = []
    if answer.page > 0:
        nav.append(
            Button(
                l10n._("◀ Previous"),
                refine(answer.question_id, answer.overrides, page=answer.page - 1),
            )
        )
    if answer.page + 1 < answer.pages:
        nav.append(
            Button(
                l10n._("More ▶"), refine(answer.question_id, answer.overrides, page=answer.page + 1)
            )
        )
    if nav:
        rows.append(reading_order(l10n, nav))
    rows += _widen_rows(l10n, answer)
    return Reply(fit(lines), buttons=tuple(rows))


def _for_display(answer: Answer) -> Answer:
    """The answer with what the asker typed, and the names and titles it quotes, shortened
    to what a line of the answer can hold."""
    echo = answer.echo
    echo = replace(
        echo,
        rooms=tuple(shorten(room, NAME_LIMIT) for room in echo.rooms),
        people=tuple(shorten(name, NAME_LIMIT) for name in echo.people),
        tracks=tuple(shorten(track, NAME_LIMIT) for track in echo.tracks),
        topic=tuple(shorten(word, WORD_LIMIT) for word in echo.topic),
    )
    person = answer.person
    if person is not None:
        person = replace(
            person,
            name=shorten(person.name, NAME_LIMIT),
            organization=shorten(person.organization, NAME_LIMIT),
        )
    return replace(
        answer,
        text=shorten(answer.text, ECHO_LIMIT),
        echo=echo,
        person=person,
        sessions=tuple(
            replace(s, title=shorten(s.title, LINE_TITLE_LIMIT)) for s in answer.sessions
        ),
        unknown=tuple(shorten(word, WORD_LIMIT) for word in answer.unknown[:LISTED_WORDS]),
        unknown_room=shorten(answer.unknown_room, ECHO_LIMIT) if answer.unknown_room else None,
        speakers_of=tuple(shorten(name, NAME_LIMIT) for name in answer.speakers_of),
    )


def _direct(l10n: Localizer, answer: Answer) -> str | None:
    """The one-line answer to a when / where / who / seats / language question."""
    asks = answer.asks
    if answer.person is not None and "who" in asks:
        person = answer.person
        if person.organization:
            return l10n._(
                "🎤 {name}, {organization}.", name=person.name, organization=person.organization
            )
        return l10n._("🎤 {name}.", name=person.name)
    if answer.person is not None and answer.person_sessions:
        first = answer.person_sessions[0]
        n = len(answer.person_sessions)
        if n == 1:
            if first.room:
                return l10n._(
                    "{name} speaks on {day}, {start}–{end}, in {room}.",
                    **_when(l10n, first),
                    room=first.room,
                    name=answer.person.name,
                )
            return l10n._(
                "{name} speaks on {day}, {start}–{end}.",
                **_when(l10n, first),
                name=answer.person.name,
            )
        return l10n.ngettext(
            "{name} speaks in {n} session; the first is on {day} at {start}.",
            "{name} speaks in {n} sessions; the first is on {day} at {start}.",
            n,
            name=answer.person.name,
            day=l10n.day(first.starts_at),
            start=l10n.time(first.starts_at),
        )
    if answer.total != 1:
        return None
    session = answer.sessions[0]
    if answer.seats is not None and "seats" in asks:
        return l10n.ngettext(
            "🎟 {title}: {n} seat left of {capacity}.",
            "🎟 {title}: {n} seats left of {capacity}.",
            answer.seats.left,
            title=session.title,
            capacity=l10n.number(answer.seats.capacity),
        )
    if "seats" in asks:
        return l10n._("🎟 {title} needs no reservation: just come.", title=session.title)
    if "language" in asks and answer.language_of:
        return l10n._(
            "🗣 {title} is in {language}.",
            title=session.title,
            language=l10n.language_name(answer.language_of),
        )
    if "who" in asks and answer.speakers_of:
        return l10n._(
            "🎤 {title}: {people}.", title=session.title, people=_names(l10n, answer.speakers_of)
        )
    if ("when" in asks or "where" in asks) and session.room:
        return l10n._(
            "{title}: {day}, {start}–{end}, in {room}.",
            **_when(l10n, session),
            room=session.room,
            title=session.title,
        )
    if "when" in asks or "where" in asks:
        return l10n._("{title}: {day}, {start}–{end}.", **_when(l10n, session), title=session.title)
    return None


def _when(l10n: Localizer, session: SessionSummary) -> dict[str, str]:
    return {
        "day": l10n.day(session.starts_at),
        "start": l10n.time(session.starts_at),
        "end": l10n.time(session.ends_at),
    }


def _names(l10n: Localizer, names: Sequence[str]) -> Markup:
    return Markup(l10n.join(names))


def _echo_line(l10n: Localizer, answer: Answer) -> str:
    parts = _echo_parts(l10n, answer.echo)
    if not parts:
        return l10n._("🔎 Results for “{query}”", query=answer.text)
    return l10n._("🔎 {understood}", understood=Markup(" · ".join(parts)))


def _echo_parts(l10n: Localizer, echo: Echo) -> list[str]:
    """Each understood constraint, already escaped and isolated by the localizer."""
    parts: list[str] = []
    if echo.relative:
        parts.append(_relative(l10n, echo.relative))
    if echo.day is not None:
        parts.append(_value(l10n.day(echo.day)))
    if echo.moment is not None:
        parts.append(_value(l10n.time(echo.moment)))
    if echo.period:
        parts.append(_period(l10n, echo.period))
    for room in echo.rooms:
        parts.append(l10n._("📍 {room}", room=room))
    for person in echo.people:
        parts.append(l10n._("🎤 {name}", name=person))
    if echo.kind:
        parts.append(_value(kind_name(l10n, SessionKind(echo.kind))))
    for track in echo.tracks:
        parts.append(_value(track))
    if echo.language:
        parts.append(l10n._("in {language}", language=l10n.language_name(echo.language)))
    if echo.topic:
        parts.append(l10n._("“{words}”", words=" ".join(echo.topic)))
    return parts


def _value(text: str) -> str:
    """A value shown as it is (a date, a time, a name): escaped and isolated."""
    return isolate(html.escape(text, quote=False))


def _relative(l10n: Localizer, relative: str) -> str:
    names = {
        "now": l10n._("now"),
        "next": l10n._("next"),
        "later": l10n._("later today"),
        "in_an_hour": l10n._("in an hour"),
        "after_lunch": l10n._("after lunch"),
    }
    return names.get(relative, relative)


def _period(l10n: Localizer, period: str) -> str:
    names = {
        "morning": l10n._("morning"),
        "noon": l10n._("midday"),
        "afternoon": l10n._("afternoon"),
        "late_afternoon": l10n._("late afternoon"),
        "evening": l10n._("evening"),
        "night": l10n._("night"),
    }
    return names.get(period, period)


def _widen_rows(l10n: Localizer, answer: Answer) -> list[tuple[Button, ...]]:
    labels = {
        "time": l10n._("🕘 Any time"),
        "room": l10n._("🚪 All rooms"),
        "day": l10n._("📅 Every day"),
        "kind": l10n._("🗂 Every kind"),
    }
    buttons = []
    for constraint in answer.widen:
        wider = Overrides(
            answer.overrides.drop | {constraint},
            answer.overrides.day_index,
            answer.overrides.person,
        )
        if constraint == "day":
            wider = Overrides(wider.drop, None, wider.person)
        buttons.append(Button(labels[constraint], refine(answer.question_id, wider)))
    rows = [tuple(buttons)] if buttons else []
    return rows + _other_days_row(l10n, answer)


def _other_days_row(l10n: Localizer, answer: Answer) -> list[tuple[Button, ...]]:
    """The same question on another day of the event (the day asked about is left out)."""
    asked = answer.echo.day_index
    if asked is None or len(answer.event_days) < 2:
        return []
    kept = Overrides(answer.overrides.drop - {"day"}, None, answer.overrides.person)
    return [
        tuple(
            Button(plain(day_label(l10n, i, day)), refine(answer.question_id, kept, pick=f"d{i}"))
            for i, day in enumerate(answer.event_days)
            if i != asked
        )
    ]


def _choose_person(l10n: Localizer, answer: Answer) -> Reply:
    text = l10n.ngettext(
        "🤔 {n} person matches “{query}”. Whom do you mean?",
        "🤔 {n} people match “{query}”. Whom do you mean?",
        len(answer.choices),
        query=answer.text,
    )
    rows = tuple(
        (Button(_person_label(p), refine(answer.question_id, answer.overrides, pick=f"p{p.id}")),)
        for p in answer.choices[:LISTED_CHOICES]
    )
    return Reply(text, buttons=rows)


def _person_label(person: SpeakerSummary) -> str:
    return speaker_label(person)


def _choose_day(l10n: Localizer, answer: Answer) -> Reply:
    text = l10n._("🤔 Which day do you mean?")
    rows = tuple(
        (
            Button(
                plain(day_label(l10n, i, d)),
                refine(answer.question_id, answer.overrides, pick=f"d{i}"),
            ),
        )
        for i, d in enumerate(answer.choose_day)
    )
    return Reply(text, buttons=rows)


def _nothing(l10n: Localizer, answer: Answer) -> Reply:
    rows: list[tuple[Button, ...]] = []
    if answer.understood_nothing and answer.unknown:
        text = l10n._(
            "🤷 Nothing in the programme mentions {words}. Ask me about a speaker, a room, a "
            "day or a topic, for example “When does Nour Haddad speak?”, “what is on in the "
            "Main Hall at 3pm tomorrow?” or “climate”, in any of our four languages.",
            words=_names(l10n, answer.unknown),
        )
        rows.append((Button(l10n._("📅 Browse the programme"), cb(verbs.DAYS)),))
        return Reply(text, buttons=tuple(rows))
    if answer.understood_nothing:
        text = l10n._(
            "🤷 I did not understand “{query}”. Ask me about a speaker, a room, a day or a "
            "topic, for example “When does Nour Haddad speak?”, “what is on in the Main Hall "
            "at 3pm tomorrow?” or “climate”, in any of our four languages.",
            query=answer.text,
        )
        rows.append((Button(l10n._("📅 Browse the programme"), cb(verbs.DAYS)),))
        return Reply(text, buttons=tuple(rows))
    if answer.unknown_room:
        text = l10n._("🤷 There is no room called “{room}”.", room=answer.unknown_room)
        rows.append((Button(l10n._("🚪 Rooms"), cb(verbs.ROOMS)),))
        return Reply(text, buttons=tuple(rows))
    lines: list[str] = []
    if answer.day_outside and answer.echo.day is not None and answer.event_days:
        lines.append(
            l10n._(
                "🤷 Nothing on {day}: the symposium runs from {first} to {last}.",
                day=l10n.day(answer.echo.day),
                first=l10n.day(answer.event_days[0]),
                last=l10n.day(answer.event_days[-1]),
            )
        )
    else:
        parts = _echo_parts(l10n, answer.echo)
        if parts:
            lines.append(
                l10n._("🤷 Nothing for {understood}.", understood=Markup(" · ".join(parts)))
            )
        else:
            lines.append(l10n._("🤷 I found nothing for “{query}”.", query=answer.text))
    if answer.unknown:
        lines.append(
            l10n._("The programme never mentions {words}.", words=_names(l10n, answer.unknown))
        )
    if answer.other_days:
        # (built first: Babel does not extract a message nested in another one's arguments)
        days = [
            l10n.ngettext("{day} ({n} session)", "{day} ({n} sessions)", n, day=l10n.day(d))
            for _, d, n in answer.other_days
        ]
        lines.append(l10n._("On other days: {days}.", days=_names_rendered(l10n, days)))
        rows += [
            (
                Button(
                    plain(day_label(l10n, i, d)),
                    refine(answer.question_id, answer.overrides, pick=f"d{i}"),
                ),
            )
            for i, d, _ in answer.other_days
        ]
    if answer.nearest:
        lines.append(l10n._("The closest ones in that room:"))
        lines += [session_line(l10n, s, show_day=True) for s in answer.nearest]
        rows += [(session_button(l10n, s, ORIGIN_SEARCH),) for s in answer.nearest]
    rows += _widen_rows(l10n, answer)
    if not rows:
        rows.append((Button(l10n._("📅 Browse the programme"), cb(verbs.DAYS)),))
    return Reply(fit(lines), buttons=tuple(rows))


def _names_rendered(l10n: Localizer, items: list[str]) -> Markup:
    return Markup(l10n.join_rendered(items))


__all__ = ["answer_reply", "parse_refine", "refine"]
