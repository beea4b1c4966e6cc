"""Telling formats apart: what a file is, judged by its content, not its name.

Exports are often renamed or served as `application/octet-stream`, and a wrong file (an
Excel sheet, the schedule's web page) should be named for what it is. This module sits above
the formats it recognizes (`csv_format` knows its own header), so `base` imports none of them.
"""

from __future__ import annotations

import io
import json
import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from bot.importers.base import (
    IMPORTING_DOCS,
    N_,
    Format,
    Msg,
    Problem,
    ProgrammeFormatError,
    accepted,
    line,
)
from bot.importers.csv_format import template_mismatch


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
