"""What every importer shares: the error an organizer reads, and telling formats apart.

An import is usually started by an organizer with a file somebody sent them, so a failure
must say which file, where in it, and what is wrong, in words, not a traceback. Detection
looks at the content, not the file name: exports are often renamed or served as
`application/octet-stream`, and a wrong file (an Excel sheet, the schedule's web page) should
be named for what it is.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MAX_REPORTED = 20
IMPORTING_DOCS = "docs/importing.md"


class Format(StrEnum):
    PRETALX = "pretalx"  # schedule.json (pretalx, frab, c3voc)
    FRAB = "frab"  # schedule.xml (frab, Pentabarf, pretalx)
    ICS = "ics"
    CSV = "csv"


Param: TypeAlias = "str | int | Msg"


@dataclass(frozen=True)
class Msg:
    """An English message with named values. `str()` is the English text (CLI, logs); the
    presentation layer translates `template` as a msgid for the organizer who reads it, so
    the importers need no localizer."""

    template: str
    params: tuple[tuple[str, Param], ...] = ()

    def __str__(self) -> str:
        return self.template.format_map({key: str(value) for key, value in self.params})


def N_(template: str, **params: Param) -> Msg:
    """A message to translate where it is shown (extracted by `pybabel extract -k N_`)."""
    return Msg(template, tuple(params.items()))


def accepted(what: Msg) -> Msg:
    """What a file that is none of ours is, and what we read instead."""
    return N_(
        "{what}; expected a frab/pretalx schedule.xml, a pretalx/frab schedule.json, "
        "an iCalendar (.ics) file or our CSV template",
        what=what,
    )


@dataclass(frozen=True)
class Problem:
    """Where (a translatable place such as "line 3", or a path inside the file kept as data:
    "/schedule/conference/days/0/…", "schedule/day[1]/…"; "" for the whole file) and what.
    `docs` is a documentation path the CLI cites; chats give a hint of their own instead."""

    location: str | Msg
    message: str | Msg
    docs: str = ""

    def __str__(self) -> str:
        message = f"{self.message} ({self.docs})" if self.docs else str(self.message)
        return f"{self.location}: {message}" if str(self.location) else message


def line(n: int) -> Msg:
    return N_("line {n}", n=n)


class ProgrammeFormatError(ValueError):
    """A file that cannot be imported, with every problem found (the first 20 listed)."""

    def __init__(self, file: str, problems: list[Problem], total: int | None = None) -> None:
        self.file = file
        self.problems = tuple(problems[:MAX_REPORTED])
        self.total = max(total or 0, len(problems))
        super().__init__(self._render())

    def __reduce__(self) -> tuple[type[ProgrammeFormatError], tuple[str, list[Problem], int]]:
        """Pickled whole: the import worker's process raises it for the bot's."""
        return (type(self), (self.file, list(self.problems), self.total))

    def _render(self) -> str:
        if self.total == 1:
            return f"{self.file}: {self.problems[0]}"
        lines = [f"{self.file}: {self.total} problems"]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  … and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class Problems:
    """Collects problems so one run reports them all instead of one per attempt."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._found: list[Problem] = []
        self._count = 0

    def add(self, location: str | Msg, message: Msg, *, docs: str = "") -> None:
        self._count += 1
        if len(self._found) < MAX_REPORTED:
            self._found.append(Problem(location, message, docs))

    @property
    def count(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def fail(self, location: str | Msg, message: Msg) -> ProgrammeFormatError:
        """An error for a problem that stops parsing at once (plus those already found)."""
        self.add(location, message)
        return self.error()

    def error(self) -> ProgrammeFormatError:
        return ProgrammeFormatError(self.file, self._found, self._count)

    def raise_if_any(self) -> None:
        if self._count:
            raise self.error()


def detect_format(name: str, data: bytes) -> Format:
    """The format of `data` judged by its content; a clear error when it is none of ours."""
    head = data[:4096]
    binary = _binary_kind(head, data)
    if binary is not None:
        raise _not_ours(name, binary)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _not_ours(
            name, N_("this is not UTF-8 text (line {n}); save the file as UTF-8", n=line)
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise _not_ours(name, N_("this is an empty file"))
    if stripped[:15].upper() == "BEGIN:VCALENDAR":
        return Format.ICS
    if stripped[0] in "{[":
        return _json_format(name, text)
    if stripped[0] == "<":
        return _xml_format(name, text)
    from bot.importers.csv_format import template_mismatch  # it imports this module

    mismatch = template_mismatch(stripped)
    if mismatch is None:
        return Format.CSV
    raise _not_ours(name, mismatch)


def _not_ours(name: str, what: Msg) -> ProgrammeFormatError:
    return ProgrammeFormatError(name, [Problem("", accepted(what), IMPORTING_DOCS)])


_ZIP_MEMBERS = (
    (
        b"xl/",
        N_("this looks like an Excel workbook (xlsx); export it as CSV (UTF-8) using our template"),
    ),
    (b"word/", N_("this looks like a Word document (docx)")),
    (b"ppt/", N_("this looks like a PowerPoint presentation (pptx)")),
    (
        b"opendocument.spreadsheet",
        N_("this looks like an OpenDocument spreadsheet (ods); export it as CSV"),
    ),
    (b"opendocument.text", N_("this looks like an OpenDocument text document (odt)")),
)
_MAGIC = (
    (b"%PDF", N_("this looks like a PDF document")),
    (
        b"\xd0\xcf\x11\xe0",
        N_("this looks like an old Microsoft Office file (xls/doc); export it as CSV"),
    ),
    (b"\x1f\x8b", N_("this looks like a gzip-compressed file; uncompress it first")),
    (b"\x89PNG", N_("this looks like a PNG image")),
    (b"\xff\xd8\xff", N_("this looks like a JPEG image")),
    (b"GIF8", N_("this looks like a GIF image")),
)


def _binary_kind(head: bytes, data: bytes) -> Msg | None:
    if head.startswith(b"PK\x03\x04"):
        for marker, kind in _ZIP_MEMBERS:
            if marker in data:
                return kind
        return N_("this looks like a ZIP archive")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return N_("this looks like binary data of an unknown kind") if b"\x00" in head else None


def _json_format(name: str, text: str) -> Format:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProgrammeFormatError(
            name,
            [Problem(line(error.lineno), N_("this JSON cannot be read: {error}", error=error.msg))],
        ) from None
    schedule = value.get("schedule") if isinstance(value, dict) else None
    if isinstance(schedule, dict) and isinstance(schedule.get("conference"), dict):
        return Format.PRETALX
    raise _not_ours(
        name, N_("this is JSON but not a pretalx/frab schedule (no schedule.conference)")
    )


_HTML = re.compile(r"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def _xml_format(name: str, text: str) -> Format:
    if _HTML.match(text.lstrip()):
        raise _not_ours(
            name, N_("this is an HTML page (perhaps the schedule's web page, not its export)")
        )
    try:
        _, root = next(iterparse(io.StringIO(text), events=("start",)))
    except (DefusedXmlException, SyntaxError, StopIteration) as error:
        raise _not_ours(
            name, N_("this looks like XML but cannot be read ({error})", error=str(error))
        ) from None
    tag = root.tag.rsplit("}", 1)[-1]
    if tag == "schedule":
        return Format.FRAB
    if tag == "html":
        raise _not_ours(name, N_("this is an HTML page (XHTML)"))
    if tag in ("rss", "feed"):
        raise _not_ours(name, N_("this is a news feed (XML with root <{tag}>)", tag=tag))
    raise _not_ours(name, N_("this is XML with root <{tag}>, not a frab <schedule>", tag=tag))
