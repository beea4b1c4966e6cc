"""frab schedule.xml, on an excerpt of FOSDEM 2026 as pretalx publishes it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.programme import ProgrammeData, SessionKind
from bot.importers import Format, ProgrammeFormatError, parse_programme
from tests.importers import read

NAME = "fosdem-2026.xml"
CET = timezone(timedelta(hours=1))
MERCURIAL = "dcfa4dae-c754-56aa-bb5d-dc20a9e9836f"


def parse(data: bytes | None = None, zone: str = "Asia/Kuala_Lumpur") -> ProgrammeData:
    return parse_programme(NAME, data or read("fosdem-2026-excerpt.xml"), timezone=zone)


def test_event_comes_from_the_conference_element() -> None:
    event = parse().event
    assert (event.key, event.name) == ("fosdem-2026", "FOSDEM 2026")
    assert event.venue == "ULB (Université Libre de Bruxelles), Brussels"
    assert event.timezone == "Europe/Brussels"  # declared: the fallback is not used
    assert (event.start_date.isoformat(), event.days) == ("2026-01-31", 2)


def test_rooms_tracks_and_speakers() -> None:
    programme = parse()
    assert [(r.key, r.name) for r in programme.rooms] == [
        ("Janson", "Janson"),
        ("K.3.201", "K.3.201"),
    ]
    assert [(t.key, t.name) for t in programme.tracks] == [
        ("main", "Main Track"),
        ("package-management", "Package Management"),
        ("local-first", "Local-First, sync engines, CRDTs"),
    ]
    speakers = {s.key: s for s in programme.speakers}
    assert len(speakers) == 10
    assert speakers["4362"].name == "Raphaël Gomès"
    # the biography comes from the top-level <persons>, HTML stripped
    assert speakers["4368"].bio.startswith("I have been using open source software")
    assert "<a" not in speakers["4368"].bio and "Mercurial version control system" in (
        speakers["4368"].bio
    )


def test_sessions_with_times_rooms_and_speakers() -> None:
    sessions = {s.key: s for s in parse().sessions}
    assert len(sessions) == 8
    mercurial = sessions[MERCURIAL]
    assert mercurial.title.startswith("Mercurial, 20 years and counting")
    assert mercurial.starts_at == datetime(2026, 1, 31, 12, 0, tzinfo=CET)
    assert mercurial.starts_at.utcoffset() == timedelta(hours=1)
    assert str(mercurial.starts_at.tzinfo) == "Europe/Brussels"
    assert mercurial.ends_at - mercurial.starts_at == timedelta(minutes=50)
    assert (mercurial.room_key, mercurial.track_key) == ("Janson", "main")
    assert mercurial.speaker_keys == ("4362", "4368")
    assert (mercurial.kind, mercurial.language) == (SessionKind.TALK, "en")
    intro = next(s for s in sessions.values() if s.title.startswith("Introduction to Local"))
    assert intro.title == "Introduction to Local First & Welcome to our devroom"
    assert intro.room_key == "K.3.201" and intro.starts_at.date().isoformat() == "2026-02-01"


def test_html_abstracts_become_paragraphs_of_text() -> None:
    abstract = next(s for s in parse().sessions if s.key == MERCURIAL).abstract
    assert abstract.startswith("Mercurial is a Distributed Version Control System created in 2005.")
    assert "<" not in abstract and "&lt;" not in abstract and "href" not in abstract
    assert "\n\nThis talk confronts this paradox." in abstract


def test_reparsing_gives_the_same_keys() -> None:
    first, second = parse(), parse(zone="UTC")
    assert [s.key for s in first.sessions] == [s.key for s in second.sessions]
    assert [s.key for s in first.speakers] == [s.key for s in second.speakers]
    assert first == second


def test_an_event_without_start_is_reported_with_its_path() -> None:
    broken = (
        read("fosdem-2026-excerpt.xml")
        .decode()
        .replace("<date>2026-01-31T12:00:00+01:00</date>", "")
        .replace("<start>12:00</start>", "")
    )
    with pytest.raises(ProgrammeFormatError) as caught:
        parse(broken.encode())
    message = str(caught.value)
    assert message.startswith(NAME + ": ")
    assert f"schedule/day[1]/room[@name='Janson']/event[@guid='{MERCURIAL}']/start" in message
    assert "missing start time" in message
    assert caught.value.file == NAME and len(caught.value.problems) == 1


def test_without_date_the_day_and_start_give_the_time_past_midnight_too() -> None:
    text = read("fosdem-2026-excerpt.xml").decode()
    text = text.replace("<date>2026-01-31T12:00:00+01:00</date>", "").replace(
        "<start>12:00</start>", "<start>01:30</start>"
    )
    mercurial = next(s for s in parse(text.encode()).sessions if s.key == MERCURIAL)
    # listed under day 1, which starts at 09:00: 01:30 is the night after
    assert mercurial.starts_at == datetime(2026, 2, 1, 1, 30, tzinfo=CET)


def test_several_problems_are_reported_together() -> None:
    text = read("fosdem-2026-excerpt.xml").decode()
    text = text.replace("<duration>00:25</duration>", "<duration>long</duration>")
    text = text.replace("<title>Welcome to FOSDEM 2026</title>", "<title></title>")
    with pytest.raises(ProgrammeFormatError) as caught:
        parse(text.encode())
    assert caught.value.total == 4  # 3 bad durations and a missing title
    assert "duration 'long' is not HH:MM" in str(caught.value)
    assert "/title: missing title" in str(caught.value)


def test_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<schedule><conference><title>&b;</title></conference></schedule>"""
    with pytest.raises(ProgrammeFormatError, match="refused for safety"):
        parse_programme(NAME, bomb, format=Format.FRAB, timezone="UTC")


def test_an_empty_schedule_is_refused_rather_than_emptying_the_programme() -> None:
    empty = b"<schedule><conference><title>X</title></conference><day index='1' /></schedule>"
    with pytest.raises(ProgrammeFormatError, match="no sessions found"):
        parse(empty)
