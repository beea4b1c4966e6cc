"""Our CSV template: the documented example parses; every mistake is named by its line."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.domain.programme import ProgrammeData, SessionKind
from bot.importers import CSV_COLUMNS, Format, ProgrammeFormatError, parse_programme

TEMPLATE = Path(__file__).parents[2] / "docs" / "programme-template.csv"
KL = timezone(timedelta(hours=8))
TZ = "Asia/Kuala_Lumpur"
HEADER = "key,day,start,end,title,kind,room,speakers"


def parse(text: str, hint: date | None = None, format: Format | None = None) -> ProgrammeData:
    return parse_programme(
        "programme.csv", text.encode(), format=format, timezone=TZ, start_date_hint=hint
    )


def errors(text: str, format: Format | None = None) -> str:
    with pytest.raises(ProgrammeFormatError) as caught:
        parse(text, format=format)
    return str(caught.value)


def test_the_documented_template_parses() -> None:
    programme = parse_programme(
        "programme-template.csv",
        TEMPLATE.read_bytes(),
        timezone="Asia/Kuala_Lumpur",
        event_key="gms",
        event_name="Global Media Symposium",
    )
    assert (programme.event.key, programme.event.name) == ("gms", "Global Media Symposium")
    assert (programme.event.start_date, programme.event.days) == (date(2026, 3, 14), 2)
    keynote, panel, workshop = programme.sessions
    assert keynote.key == "d1-keynote" and keynote.kind is SessionKind.KEYNOTE
    assert keynote.starts_at == datetime(2026, 3, 14, 9, 0, tzinfo=KL)
    assert keynote.titles["ar"].startswith("الثقة هي القصة")
    assert keynote.titles["en"] == keynote.title
    assert panel.speaker_keys == ("aisha-rahman", "tan-wei-ming")
    assert panel.moderator_keys == ("nurul-huda",)
    assert (workshop.kind, workshop.capacity, workshop.room_key) == (
        SessionKind.WORKSHOP,
        30,
        "studio-2",
    )
    assert [r.name for r in programme.rooms] == ["Main Hall", "Studio 2"]
    assert TEMPLATE.read_text("utf-8").splitlines()[0].split(",") == list(CSV_COLUMNS)


def test_excel_habits_bom_semicolons_blank_rows_and_day_numbers() -> None:
    text = (
        "\ufeffday;start;end;title;speakers\n"
        "1;9:00;10:00;Opening;Ali; \n"
        ";;;;\n"
        "2;14:00:00;15:30:00;Closing;\n"
    )
    programme = parse(text, hint=date(2026, 3, 14))
    opening, closing = programme.sessions
    assert opening.starts_at == datetime(2026, 3, 14, 9, 0, tzinfo=KL)
    assert closing.starts_at == datetime(2026, 3, 15, 14, 0, tzinfo=KL)
    assert opening.key == "opening-20260314T0900"  # no key column: title and start
    assert programme.event.key == "programme"  # the file name, when no event key is given


def test_reparsing_gives_the_same_keys() -> None:
    text = f"{HEADER}\n,2026-03-14,09:00,10:00,Opening,,Main Hall,Ali Khan; Siti Noor\n"
    assert parse(text) == parse(text)
    assert [s.key for s in parse(text).speakers] == ["ali-khan", "siti-noor"]


def test_a_bad_time_on_line_3() -> None:
    text = f"{HEADER}\na,2026-03-14,09:00,10:00,Opening,,,\nb,2026-03-14,9:75,10:00,Second,,,\n"
    assert errors(text) == (
        "programme.csv: line 3: start '9:75' is not a time (HH:MM, 00:00–23:59)"
    )


def test_every_row_mistake_is_listed_with_its_line() -> None:
    text = "\n".join(
        [
            HEADER,
            "a,2026-03-14,10:00,09:00,Backwards,,,",
            "b,2026-03-14,09:00,10:00,Odd kind,lecture,,",
            "c,2026-03-14,09:00,10:00,,,,",
            "a,2026-03-15,09:00,10:00,Same key,,,",
            'd,2026-03-15,09:00,10:00,"Two',
            'lines",talk,,',
            "e,14/03/2026,09:00,10:00,Local date,,,",
            "f,3,09:00,10:00,Day number,,,",
            "g,2026-03-15,09:00,10:00,Hello, world,talk,Main Hall,Ali",
        ]
    )
    message = errors(text)
    assert "line 2: end 09:00 is not after start 10:00" in message
    assert "line 3: unknown kind 'lecture' (use one of: keynote, panel, talk, workshop)" in message
    assert "line 4: title is empty" in message
    assert "line 8: day '14/03/2026' is neither a date (2026-03-14) nor a day number" in message
    assert "line 9: day 3 is a day number, but no first day was given" in message
    assert "line 10: 9 cells but 8 columns (quote a cell that has a comma)" in message
    assert message.startswith("programme.csv: 6 problems")
    assert "line 5" not in message  # 'a' again, but line 2 was refused, so no clash


def test_a_duplicate_key_names_both_lines() -> None:
    text = f"{HEADER}\na,2026-03-14,09:00,10:00,One,,,\na,2026-03-14,11:00,12:00,Two,,,\n"
    assert errors(text) == "programme.csv: line 3: session key 'a' repeats the one at line 2"


def test_header_mistakes() -> None:
    assert "not our template (missing columns: end, start)" in errors("day,title\n2026-03-14,x\n")
    message = errors("day,title\n2026-03-14,x\n", format=Format.CSV)
    assert "line 1: missing columns: end, start" in message
    message = errors("day,start,end,title,tittle_ar\n2026-03-14,09:00,10:00,x,y\n")
    assert "line 1: unknown column 'tittle_ar'" in message


def test_not_utf8_is_named() -> None:
    data = "day,start,end,title\n2026-03-14,09:00,10:00,Café\n".encode("cp1252")
    with pytest.raises(ProgrammeFormatError, match="line 2: not UTF-8 text"):
        parse_programme("p.csv", data, format=Format.CSV, timezone="UTC")


def test_key_and_translation_columns_name_rooms_tracks_and_people() -> None:
    text = (
        "key,day,start,end,title,room,room_key,room_ar,track,track_key,track_ur,"
        "speakers,speaker_keys,speakers_ar\n"
        "a,2026-03-14,09:00,10:00,'=Opening,Main Hall,main-hall,القاعة الرئيسية,Ethics,ethics,"
        "اخلاقیات,Nour Haddad; Tan Wei Ming,nour-haddad; tan-wm,نور حداد; \n"
        "b,2026-03-14,10:00,11:00,Moved here,Orchid Room,main-hall,القاعة الرئيسية,,,,,,\n"
        "c,2026-03-14,11:00,12:00,Still there,Main Hall,main-hall,,,,,,,\n"
    )
    programme = parse_programme("p.csv", text.encode(), timezone="Asia/Kuala_Lumpur")

    first, moved, _ = programme.sessions
    rooms = {r.key: r for r in programme.rooms}
    assert first.title == "=Opening"  # our exports' formula guard is taken off again
    assert rooms["main-hall"].names == {"ar": "القاعة الرئيسية"}
    assert programme.tracks[0].names == {"ur": "اخلاقیات"}
    assert [(s.key, s.names) for s in programme.speakers] == [
        ("nour-haddad", {"ar": "نور حداد"}),
        ("tan-wm", {}),
    ]
    # a row whose room name disagrees with most rows of its key names another room
    assert rooms[moved.room_key].by_name and rooms[moved.room_key].name == "Orchid Room"


def test_parallel_people_lists_of_different_lengths_are_an_error() -> None:
    text = "day,start,end,title,speakers,speaker_keys\n2026-03-14,09:00,10:00,T,A; B,a\n"
    with pytest.raises(ProgrammeFormatError, match="speaker_keys lists 1 names but speakers"):
        parse_programme("p.csv", text.encode(), timezone="Asia/Kuala_Lumpur")
