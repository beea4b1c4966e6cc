"""Our own CSV template (docs/importing.md, docs/programme-template.csv).

For events without pretalx or frab: the organizer fills a spreadsheet and saves it as CSV.
So the reader is forgiving about what spreadsheets do (a UTF-8 BOM, ';' or tab separators as
Excel writes them in many locales, blank rows, surrounding spaces, column order) and strict
about what would put a session at the wrong time or merge two sessions: every problem is
reported with its line number. Times are wall-clock times in the event's time zone.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.programme import ProgrammeData, SessionData, SessionKind
from bot.importers.base import N_, Msg, Problems, line
from bot.importers.builder import MAX_SESSIONS, ProgrammeBuilder, zone_or_none
from bot.importers.mentions import Mention, Mentions
from bot.importers.text import content_key

REQUIRED_COLUMNS = frozenset({"day", "start", "end", "title"})
TRANSLATED = tuple(
    f"{field}_{locale}"
    for field in ("title", "abstract", "room", "track", "speakers", "moderators")
    for locale in SUPPORTED_LOCALES
)
COLUMNS = (
    *("key", "day", "start", "end", "title", "abstract", "kind", "room", "track", "language"),
    *("capacity", "speakers", "moderators", "cancelled"),
    *("room_key", "room_capacity", "track_key", "speaker_keys", "moderator_keys", *TRANSLATED),
)
UNKNOWN_COLUMN = N_("unknown column {column}").template
MISSING_COLUMNS = N_("missing columns: {columns}").template
COLUMN_PROBLEMS = frozenset({UNKNOWN_COLUMN, MISSING_COLUMNS})
_YES, _NO = frozenset({"yes", "y", "true", "1", "x"}), frozenset({"", "no", "n", "false", "0"})
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)(?::00)?$")  # spreadsheets add ':00'
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def template_mismatch(text: str) -> Msg | None:
    """None when `text` starts with our header; else what it looks like, for the error."""
    first = text.splitlines()[0] if text else ""
    header = _header(first)
    if set(header) >= REQUIRED_COLUMNS:
        return None
    if len(header) >= 3 or (len(header) >= 2 and set(header) & set(COLUMNS)):
        missing = ", ".join(sorted(REQUIRED_COLUMNS - set(header)))
        return N_(
            "this is a CSV table but not our template (missing columns: {columns})",
            columns=missing,
        )
    return N_(
        "this is text that is none of the supported formats (it starts {start})",
        start=repr(first[:60]),
    )


def parse_csv(
    name: str,
    data: bytes,
    *,
    timezone: str,
    start_date_hint: date | None = None,
    event_key: str | None = None,
    event_name: str | None = None,
    max_sessions: int = MAX_SESSIONS,
) -> ProgrammeData:
    problems = Problems(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        number = data[: error.start].count(b"\n") + 1
        raise problems.fail(
            line(number), N_("not UTF-8 text: save the file as 'CSV UTF-8'")
        ) from None
    zone = zone_or_none(timezone)
    if zone is None:
        raise problems.fail("", N_("unknown time zone {zone}", zone=repr(timezone)))
    first = text.splitlines()[0] if text.strip() else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise problems.fail(
            line(1), Msg(MISSING_COLUMNS, (("columns", ", ".join(sorted(missing))),))
        )
    for column in header:
        if column and column not in COLUMNS:
            problems.add(
                line(1),
                Msg(UNKNOWN_COLUMN, (("column", repr(column)),)),
                docs="see docs/importing.md",
            )
    builder = ProgrammeBuilder(problems, max_sessions)
    rows = _Rows(builder)
    number = reader.line_num + 1
    for cells in reader:
        row = {h: _undefuse(c.strip()) for h, c in zip(header, cells, strict=False) if h}
        if any(c.strip() for c in cells[len(header) :]):
            problems.add(
                line(number),
                N_(
                    "{cells} cells but {columns} columns (quote a cell that has a comma)",
                    cells=len(cells),
                    columns=len(header),
                ),
            )
        elif any(row.values()):
            _row(rows, line(number), row, zone, start_date_hint)
        number = reader.line_num + 1
    rows.finish()
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return builder.finish(
        key=event_key or stem, name=event_name or stem, zone=timezone, fallback=timezone
    )


_Pending = tuple[Msg, SessionData, int | None, int | None, list[int], list[int]]


class _Rows:
    """Sessions wait until every row is read: a room, track or person is settled from all
    the rows that mention it (the name most rows give a key is its name; a row whose name
    disagrees with its key cell moved the session there, see `Mentions`)."""

    def __init__(self, builder: ProgrammeBuilder) -> None:
        self.builder = builder
        self.rooms, self.tracks, self.people = Mentions(), Mentions(), Mentions()
        self._pending: list[_Pending] = []

    def add(
        self,
        where: Msg,
        session: SessionData,
        room: int | None,
        track: int | None,
        speakers: list[int],
        moderators: list[int],
    ) -> None:
        self._pending.append((where, session, room, track, speakers, moderators))

    def finish(self) -> None:
        b = self.builder
        rooms = [
            b.room(r.key, r.name, r.capacity, names=r.names, by_name=r.by_name)
            for r in self.rooms.settle()
        ]
        tracks = [
            b.track(t.key, t.name, names=t.names, by_name=t.by_name) for t in self.tracks.settle()
        ]
        people = [
            b.speaker(p.key, p.name, names=p.names, by_name=p.by_name) for p in self.people.settle()
        ]
        for where, session, room, track, speakers, moderators in self._pending:
            b.session(
                where,
                replace(
                    session,
                    room_key=rooms[room] if room is not None else None,
                    track_key=tracks[track] if track is not None else None,
                    speaker_keys=tuple(dict.fromkeys(people[i] for i in speakers)),
                    moderator_keys=tuple(dict.fromkeys(people[i] for i in moderators)),
                ),
            )


def _row(rows: _Rows, where: Msg, row: dict[str, str], zone: ZoneInfo, hint: date | None) -> None:
    b = rows.builder
    problems = b.problems
    errors_before = problems.count
    title = row.get("title", "")
    if not title:
        problems.add(where, N_("title is empty"))
    day = _day(b, where, row.get("day", ""), hint)
    start, end = (
        _time(b, where, "start", row.get("start", "")),
        _time(b, where, "end", row.get("end", "")),
    )
    raw_kind = row.get("kind", "").lower() or SessionKind.TALK.value
    if raw_kind not in {kind.value for kind in SessionKind}:
        kinds = ", ".join(k.value for k in SessionKind)
        problems.add(
            where,
            N_("unknown kind {kind} (use one of: {kinds})", kind=repr(row["kind"]), kinds=kinds),
        )
    language = row.get("language", "").lower() or "en"
    if not _LANGUAGE.match(language):
        problems.add(
            where,
            N_(
                "language {language} is not a code such as en, ar, ms, ur",
                language=repr(row["language"]),
            ),
        )
    capacity = row.get("capacity", "")
    if capacity and not (capacity.isdigit() and int(capacity) > 0):
        problems.add(
            where, N_("capacity {value} is not a positive whole number", value=repr(capacity))
        )
    room_capacity = row.get("room_capacity", "")
    if room_capacity and not (room_capacity.isdigit() and int(room_capacity) > 0):
        problems.add(
            where,
            N_("room_capacity {value} is not a positive whole number", value=repr(room_capacity)),
        )
    cancelled = row.get("cancelled", "").lower()
    if cancelled not in _YES | _NO:
        problems.add(
            where, N_("cancelled {value} is neither yes nor no", value=repr(row["cancelled"]))
        )
    speakers = _people(b, where, row, "speakers", "speaker_keys")
    moderators = _people(b, where, row, "moderators", "moderator_keys")
    if day is None or start is None or end is None or problems.count > errors_before:
        return
    starts, ends = datetime.combine(day, start, zone), datetime.combine(day, end, zone)
    if ends <= starts:
        problems.add(
            where, N_("end {end} is not after start {start}", end=row["end"], start=row["start"])
        )
        return
    if speakers is None or moderators is None:
        return
    titles = _translations(row, "title")
    abstracts = _translations(row, "abstract")
    if language in SUPPORTED_LOCALES:  # the title column is the session's own language
        titles[language] = title
        if row.get("abstract"):
            abstracts[language] = row["abstract"]
    room = _mention(rows.rooms, row, "room", int(room_capacity) if room_capacity else None)
    track = _mention(rows.tracks, row, "track")
    rows.add(
        where,
        SessionData(
            key=row.get("key") or content_key(title, starts),
            kind=SessionKind(raw_kind),
            title=title,
            abstract=row.get("abstract", ""),
            titles=titles,
            abstracts=abstracts,
            starts_at=starts,
            ends_at=ends,
            room_key=None,
            track_key=None,
            language=language,
            capacity=int(capacity) if capacity else None,
            cancelled=cancelled in _YES,
        ),
        room,
        track,
        [rows.people.add(p) for p in speakers],
        [rows.people.add(p) for p in moderators],
    )


def _translations(row: dict[str, str], column: str) -> dict[str, str]:
    return {loc: row[f"{column}_{loc}"] for loc in SUPPORTED_LOCALES if row.get(f"{column}_{loc}")}


def _mention(
    mentions: Mentions, row: dict[str, str], column: str, capacity: int | None = None
) -> int | None:
    name, key = row.get(column, ""), row.get(f"{column}_key", "")
    if not name and not key:
        return None
    return mentions.add(Mention(key, name, _translations(row, column), capacity))


def _day(b: ProgrammeBuilder, where: Msg, value: str, hint: date | None) -> date | None:
    if value.isdigit() and 0 < int(value) < 100:
        if hint is None:
            b.problems.add(
                where, N_("day {day} is a day number, but no first day was given", day=value)
            )
            return None
        return hint + timedelta(days=int(value) - 1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        b.problems.add(
            where,
            N_("day {day} is neither a date (2026-03-14) nor a day number", day=repr(value)),
        )
        return None


def _time(b: ProgrammeBuilder, where: Msg, column: str, value: str) -> time | None:
    match = _TIME.match(value)
    if not match:
        b.problems.add(
            where,
            N_(
                "{column} {value} is not a time (HH:MM, 00:00–23:59)",
                column=column,
                value=repr(value),
            ),
        )
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _people(
    b: ProgrammeBuilder, where: Msg, row: dict[str, str], column: str, keys_column: str
) -> list[Mention] | None:
    """`speakers` with its parallel `speaker_keys` and `speakers_ar`… lists (';' between)."""
    names = _split(row.get(column, ""))
    keys = _split(row.get(keys_column, ""))
    translated = {loc: _split(row.get(f"{column}_{loc}", "")) for loc in SUPPORTED_LOCALES}
    count = max(len(names), len(keys))
    for other, values in [(keys_column, keys), (column, names)] + [
        (f"{column}_{loc}", v) for loc, v in translated.items()
    ]:
        if values and len(values) != count:
            b.problems.add(
                where,
                N_(
                    "{other} lists {names} names but {column} has {count} "
                    "(keep the lists in the same order, separated by ';')",
                    other=other,
                    names=len(values),
                    column=column,
                    count=count,
                ),
            )
            return None
    return [
        Mention(
            keys[i] if keys else "",
            names[i] if names else "",
            {loc: values[i] for loc, values in translated.items() if values and values[i]},
        )
        for i in range(count)
    ]


def _split(value: str) -> list[str]:
    parts = [part.strip() for part in value.split(";")]
    return [] if not any(parts) else parts


def _undefuse(value: str) -> str:
    """Our exports prefix a cell starting with = + - @ with ' (so it is never a formula)."""
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def _delimiter(first_line: str) -> str:
    """',' as documented; ';' or tab as spreadsheets save CSV in many locales."""
    return max((",", ";", "\t"), key=first_line.count)


def _header(first_line: str) -> list[str]:
    row = next(csv.reader([first_line], delimiter=_delimiter(first_line)), [])
    return [cell.strip().lower() for cell in row]
