"""Telling the formats apart by content, and naming what a wrong file looks like."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.importers import Format, ProgrammeFormatError, detect_format, parse_programme
from bot.importers.base import MAX_REPORTED, Problem
from tests.importers import read


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("fosdem-2026-excerpt.xml", Format.FRAB),
        ("pretalx-rc3-excerpt.json", Format.PRETALX),
        ("frab-camp2019-excerpt.json", Format.PRETALX),
        ("linux_conf_au_2020-excerpt.ics", Format.ICS),
    ],
)
def test_real_schedules_are_recognised(file: str, expected: Format) -> None:
    assert detect_format("renamed.txt", read(file)) is expected


def test_our_csv_is_recognised_with_bom_and_semicolons() -> None:
    assert detect_format("p.csv", b"key,day,start,end,title\n") is Format.CSV
    assert detect_format("p.csv", "\ufeffDay;Start;End;Title\n".encode()) is Format.CSV
    assert detect_format("p", b"\n  BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") is Format.ICS


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (_xlsx(), "this looks like an Excel workbook (xlsx)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "this looks like a PDF document"),
        (b"<!DOCTYPE html>\n<html><body>Schedule</body></html>", "this is an HTML page"),
        (b'  {"events": []}', "JSON but not a pretalx/frab schedule (no schedule.conference)"),
        (b'{"schedule": {"version": "1"}}', "no schedule.conference"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
            "a news feed (XML with root <rss>)",
        ),
        (b"<?xml version='1.0'?><programme/>", "XML with root <programme>"),
        (b"", "this is an empty file"),
        (b" \n\t\n", "this is an empty file"),
        (b"\x00\x01\x02binary", "binary data of an unknown kind"),
        (b"Room,Time,Talk\nA,9:00,Hi\n", "a CSV table but not our template"),
        (b"Dear organizers, please find attached", "none of the supported formats"),
        ("Day,start\nCafé".encode("cp1252"), "not UTF-8 text (line 2)"),
    ],
)
def test_wrong_files_are_named_for_what_they_are(data: bytes, named: str) -> None:
    with pytest.raises(ProgrammeFormatError) as caught:
        parse_programme("upload.bin", data, timezone="UTC")
    message = str(caught.value)
    assert message.startswith("upload.bin: ")
    assert named in message
    assert "expected a frab/pretalx schedule.xml" in message


def test_broken_json_and_xml_say_where() -> None:
    with pytest.raises(ProgrammeFormatError, match=r"x\.json: line 2: this JSON cannot be read"):
        detect_format("x.json", b'{"schedule":\n  {"conference": }')
    with pytest.raises(ProgrammeFormatError, match=r"x\.xml: line 1: not well-formed XML"):
        parse_programme("x.xml", b"<schedule><day></schedule>", timezone="UTC")
    with pytest.raises(ProgrammeFormatError, match="looks like XML but cannot be read"):
        detect_format("x.xml", b"<?xml version='1.0'?>\n< schedule>")


def test_a_long_report_is_capped() -> None:
    problems = [Problem(f"line {n}", "bad") for n in range(2, 40)]
    error = ProgrammeFormatError("big.csv", problems)
    lines = str(error).splitlines()
    assert lines[0] == "big.csv: 38 problems"
    assert len(error.problems) == MAX_REPORTED
    assert lines[-1] == "  … and 18 more"
