"""Programme importers: schedule files in, `ProgrammeData` out (issue #5).

Parsing is pure and synchronous on bytes: no network, no database, no clock. The caller
fetches a URL (aiohttp), runs `parse_programme` in a thread, and hands the result to
`ProgrammeService.apply`, which matches everything by key. Keys come from the source's own ids
(guid, UID, person id or code) or, where it has none, from content (a slug of title and start),
so re-importing the same source updates sessions in place instead of replacing them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.domain.programme import ProgrammeData
from bot.importers.base import Format, Problem, ProgrammeFormatError
from bot.importers.builder import MAX_SESSIONS
from bot.importers.csv_format import COLUMNS as CSV_COLUMNS
from bot.importers.csv_format import parse_csv
from bot.importers.detect import detect_format
from bot.importers.frab import parse_frab
from bot.importers.ics import parse_ics
from bot.importers.pretalx import parse_pretalx

__all__ = [
    "CSV_COLUMNS",
    "Format",
    "Problem",
    "ProgrammeFormatError",
    "detect_format",
    "parse_programme",
]


def parse_programme(
    name: str,
    data: bytes,
    *,
    format: Format | None = None,
    timezone: str,
    start_date_hint: date | None = None,
    event_key: str | None = None,
    event_name: str | None = None,
    max_sessions: int = MAX_SESSIONS,
) -> ProgrammeData:
    """Parse `data` (named `name` in errors) as `format`, detected from the content if None.

        `timezone` is the fallback for files that declare none (floating iCalendar times, pretalx
        JSON with bare offsets) and the zone of CSV times. `start_date_hint` is the date of day 1
        for CSV rows that give a day number. `event_key`/`event_name` replace the event's own (a
        CSV has none: without them the file name is used). A programme of more than `max_sessions`
    sessions is refused as soon as the parser reaches one more. Raises `ProgrammeFormatError`.
    """
    chosen = Format(format) if format else detect_format(name, data)
    if chosen is Format.CSV:
        return parse_csv(
            name,
            data,
            timezone=timezone,
            start_date_hint=start_date_hint,
            event_key=event_key,
            event_name=event_name,
            max_sessions=max_sessions,
        )
    parsers = {Format.FRAB: parse_frab, Format.PRETALX: parse_pretalx, Format.ICS: parse_ics}
    programme = parsers[chosen](name, data, timezone=timezone, max_sessions=max_sessions)
    if event_key or event_name:
        event = replace(
            programme.event,
            key=event_key or programme.event.key,
            name=event_name or programme.event.name,
        )
        programme = replace(programme, event=event)
    return programme
