"""iCalendar: linux.conf.au 2020 (TZID without VTIMEZONE) and small hand-written calendars."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.programme import ProgrammeData, SessionKind
from bot.importers import ProgrammeFormatError, parse_programme
from tests.importers import read

BRISBANE = timezone(timedelta(hours=10))


def lca(zone: str = "UTC") -> ProgrammeData:
    return parse_programme("lca.ics", read("linux_conf_au_2020-excerpt.ics"), timezone=zone)


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{body}END:VCALENDAR\r\n".encode()


def test_lca_event_zone_and_days() -> None:
    event = lca().event
    assert (event.key, event.name) == ("linux-conf-au-2020", "linux.conf.au 2020")
    assert event.timezone == "Australia/Brisbane"  # X-WR-TIMEZONE, not the fallback
    assert (event.start_date.isoformat(), event.days) == ("2020-01-13", 4)


def test_lca_sessions_times_rooms_and_html() -> None:
    sessions = {s.key: s for s in lca().sessions}
    assert len(sessions) == 6
    breakfast = sessions["201@lca2020.linux.org.au"]
    assert breakfast.title == "Main Conference: plenary"
    assert breakfast.starts_at == datetime(2020, 1, 14, 7, 0, tzinfo=BRISBANE)
    assert breakfast.ends_at == datetime(2020, 1, 14, 9, 0, tzinfo=BRISBANE)
    assert breakfast.room_key == "room-5"
    assert breakfast.abstract == (
        "Women of Open Technology Breakfast, Presented by ThoughtWorks\n\n"
        "Only for attendees with a ticket.\n\n"
        "Gold Coast Convention and Exhibition Centre, Room 5"
    )
    assert breakfast.speaker_keys == ()  # "Presented by" prose is not mined for names
    assert sessions["235@lca2020.linux.org.au"].room_key is None  # no LOCATION


def test_lca_rooms_including_one_spanning_five() -> None:
    assert [r.name for r in lca().rooms] == [
        "Room 5",
        "Arena",
        "Arena, Room 8, Room 5, Room 6, Room 7",
    ]


def test_lca_speaker_lines_become_speakers_and_leave_the_abstract() -> None:
    programme = lca()
    sessions = {s.key: s for s in programme.sessions}
    keynote = sessions["85@lca2020.linux.org.au"]
    assert keynote.kind is SessionKind.KEYNOTE  # "Keynote: …"
    assert keynote.speaker_keys == ("a-prof-vanessa-teague",)
    assert keynote.abstract.startswith("I'll begin with analysis of the Swiss e-voting system")
    names = {s.key: s.name for s in programme.speakers}
    assert names == {
        "joel-addison": "Joel Addison",
        "a-prof-vanessa-teague": "A/Prof Vanessa Teague",
        "keith-packard": "Keith Packard",
    }


def test_lca_reparse_gives_the_same_keys() -> None:
    assert lca() == lca("Asia/Kuala_Lumpur")


def test_floating_times_are_in_the_fallback_zone_and_attendees_are_speakers() -> None:
    data = calendar(
        """UID:talk-1
SUMMARY:Data journalism
DTSTART:20260314T090000
DTEND:20260314T100000
CATEGORIES:Newsrooms,Data
ATTENDEE;CN=Aisha Rahman;ROLE=REQ-PARTICIPANT:mailto:aisha@example.org
ATTENDEE;CN=Nurul Huda;ROLE=CHAIR:mailto:nurul@example.org""",
        """UID:talk-2
SUMMARY:Hands-on verification
DTSTART:20260315T140000
DURATION:PT90M
CATEGORIES:Workshop
STATUS:CANCELLED""",
    )
    programme = parse_programme("x.ics", data, timezone="Asia/Kuala_Lumpur")
    assert programme.event.timezone == "Asia/Kuala_Lumpur"
    first, second = programme.sessions
    assert first.starts_at == datetime(2026, 3, 14, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert (first.track_key, first.speaker_keys) == ("newsrooms", ("aisha-rahman",))
    assert first.moderator_keys == ("nurul-huda",)
    assert second.ends_at - second.starts_at == timedelta(minutes=90)
    assert (second.kind, second.cancelled) == (SessionKind.WORKSHOP, True)


def test_utc_times_do_not_make_the_event_utc() -> None:
    data = calendar("UID:z\r\nSUMMARY:Late\r\nDTSTART:20260314T010000Z\r\nDTEND:20260314T020000Z")
    programme = parse_programme("z.ics", data, timezone="Asia/Kuala_Lumpur")
    assert programme.event.timezone == "Asia/Kuala_Lumpur"
    assert programme.sessions[0].starts_at.hour == 9  # 01:00 UTC shown in Kuala Lumpur


def test_a_moved_occurrence_of_a_recurring_event_is_its_own_session() -> None:
    data = calendar(
        "UID:daily\r\nSUMMARY:Stand-up\r\nDTSTART:20260314T090000\r\nRRULE:FREQ=DAILY;COUNT=2",
        "UID:daily\r\nRECURRENCE-ID:20260315T090000\r\nSUMMARY:Stand-up\r\nDTSTART:20260315T100000",
    )
    keys = [s.key for s in parse_programme("r.ics", data, timezone="UTC").sessions]
    assert keys == ["daily", "daily#2026-03-15T09:00:00"]


def test_unknown_tzid_and_missing_start_are_reported_with_line_numbers() -> None:
    data = calendar(
        "UID:a\r\nSUMMARY:Fine\r\nDTSTART:20260314T090000",
        "UID:b\r\nSUMMARY:Nowhere\r\nDTSTART;TZID=Mars/Olympus:20260314T090000",
        "UID:c\r\nSUMMARY:Never",
    )
    with pytest.raises(ProgrammeFormatError) as caught:
        parse_programme("bad.ics", data, timezone="UTC")
    assert str(caught.value) == (
        "bad.ics: 2 problems\n"
        "  - line 8 (UID b): DTSTART: unknown time zone 'Mars/Olympus'\n"
        "  - line 13 (UID c): no DTSTART (start time)"
    )


def test_an_unreadable_calendar() -> None:
    with pytest.raises(ProgrammeFormatError, match=r"bad\.ics: not a readable iCalendar file"):
        parse_programme("bad.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", timezone="UTC")
