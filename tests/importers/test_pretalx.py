"""pretalx / frab schedule.json: rC3 (pretalx, no zone declared) and Camp 2019 (frab)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.programme import ProgrammeData, SessionKind
from bot.importers import ProgrammeFormatError, parse_programme
from tests.importers import read

PLUS_ONE = timezone(timedelta(hours=1))
GLUON = "c3642671-4c1f-5109-81ba-0535c1cc8428"


def rc3(zone: str = "Europe/Berlin", raw: bytes | None = None) -> ProgrammeData:
    return parse_programme("rc3.json", raw or read("pretalx-rc3-excerpt.json"), timezone=zone)


def test_rc3_excerpt_rooms_tracks_speakers_and_sessions() -> None:
    programme = rc3()
    assert (programme.event.key, programme.event.name) == ("rc3-channels-2020", "rC3 Channels")
    assert [r.name for r in programme.rooms] == ["r3s - Monheim/Rhein", "Chaos-West TV - Ennepetal"]
    assert [t.name for t in programme.tracks] == ["MON r3s Rhein VHS", "Ennepetal CWTV"]
    speakers = {s.key: s.name for s in programme.speakers}
    assert speakers["SCD9VJ"] == "Chris Fiege" and speakers["WZWCYV"] == "L3D"
    gluon = programme.sessions[0]
    assert gluon.key == GLUON
    assert gluon.title == "Der faule Admin automatisiert: Gluon auf echter Hardware testen"
    assert gluon.starts_at == datetime(2020, 12, 27, 11, 30, tzinfo=PLUS_ONE)
    assert gluon.ends_at == datetime(2020, 12, 27, 12, 10, tzinfo=PLUS_ONE)
    assert gluon.room_key == "r3s - Monheim/Rhein" and gluon.language == "de"
    assert gluon.speaker_keys == ("SCD9VJ", "MCQKPV")
    # abstract and description are both kept, as paragraphs
    assert gluon.abstract.startswith("Eine wichtige Komponente von Freifunk")
    assert "\n\nUm Gluon in der eigenen Freifunk-Community" in gluon.abstract
    assert "\r" not in gluon.abstract
    assert [s.kind for s in programme.sessions] == [SessionKind.TALK] * 5


def test_undeclared_zone_uses_the_fallback_when_it_matches_the_offsets() -> None:
    event = rc3("Europe/Berlin").event
    assert event.timezone == "Europe/Berlin"
    assert (event.start_date.isoformat(), event.days) == ("2020-12-27", 2)


def test_a_fallback_that_contradicts_the_offsets_gives_a_fixed_offset_zone() -> None:
    programme = rc3("Asia/Kuala_Lumpur")
    assert programme.event.timezone == "Etc/GMT-1"  # POSIX sign: UTC+1
    first = programme.sessions[0].starts_at
    assert (first.hour, first.minute, first.utcoffset()) == (11, 30, timedelta(hours=1))


def test_reparsing_gives_the_same_keys() -> None:
    assert [s.key for s in rc3().sessions] == [s.key for s in rc3().sessions]
    assert rc3() == rc3()


def test_a_non_numeric_duration_names_the_json_pointer() -> None:
    raw = json.loads(read("pretalx-rc3-excerpt.json"))
    raw["schedule"]["conference"]["days"][1]["rooms"]["r3s - Monheim/Rhein"][1]["duration"] = "xx"
    with pytest.raises(ProgrammeFormatError) as caught:
        rc3(raw=json.dumps(raw).encode())
    assert str(caught.value) == (
        "rc3.json: /schedule/conference/days/1/rooms/r3s - Monheim~1Rhein/1/duration: "
        "duration 'xx' is not HH:MM"
    )


def test_a_numeric_duration_is_not_guessed_at() -> None:
    raw = json.loads(read("pretalx-rc3-excerpt.json"))
    raw["schedule"]["conference"]["days"][0]["rooms"]["r3s - Monheim/Rhein"][0]["duration"] = 45
    with pytest.raises(ProgrammeFormatError, match="/0/duration: duration 45 is not HH:MM"):
        rc3(raw=json.dumps(raw).encode())


def test_mixed_offsets_without_a_zone_ask_for_one() -> None:
    raw = json.loads(read("pretalx-rc3-excerpt.json"))
    event = raw["schedule"]["conference"]["days"][1]["rooms"]["r3s - Monheim/Rhein"][0]
    event["date"] = "2020-12-28T11:00:00+02:00"
    with pytest.raises(ProgrammeFormatError, match="naming the event's time zone"):
        rc3("Asia/Kuala_Lumpur", json.dumps(raw).encode())


def test_frab_camp_2019_declares_its_zone_and_numeric_person_ids() -> None:
    programme = parse_programme(
        "camp.json", read("frab-camp2019-excerpt.json"), timezone="Asia/Kuala_Lumpur"
    )
    assert programme.event.key == "camp2019"
    assert programme.event.name == "Chaos Communication Camp 2019"
    assert programme.event.timezone == "Europe/Berlin"
    assert [r.name for r in programme.rooms] == ["Curie", "Meitner"]
    assert [t.name for t in programme.tracks] == ["CCC", "Hardware & Making", "Art & Culture"]
    opening = programme.sessions[0]
    assert opening.title == "Opening Ceremony"
    assert opening.starts_at == datetime(2019, 8, 21, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    assert opening.speaker_keys == ("7797", "4827")
    assert {s.key: s.name for s in programme.speakers}["8875"] == 'Lukas "cube" Hannen'
    assert len(programme.sessions) == 4


def test_the_whole_rc3_schedule() -> None:
    programme = parse_programme("pretalx-rc3.json", read("pretalx-rc3.json"), timezone="UTC")
    assert len(programme.sessions) == 48
    assert (programme.event.start_date.isoformat(), programme.event.days) == ("2020-12-27", 4)
    assert programme.event.timezone == "Etc/GMT-1"
    assert len(programme.rooms) == 5
    assert len({s.key for s in programme.sessions}) == 48
    speaker_keys = {s.key for s in programme.speakers}
    assert all(set(s.speaker_keys) <= speaker_keys for s in programme.sessions)
    rooms = {r.key for r in programme.rooms}
    assert all(s.room_key in rooms for s in programme.sessions)
    assert sum(s.kind is SessionKind.WORKSHOP for s in programme.sessions) == 2
    again = parse_programme("pretalx-rc3.json", read("pretalx-rc3.json"), timezone="UTC")
    assert [s.key for s in again.sessions] == [s.key for s in programme.sessions]
