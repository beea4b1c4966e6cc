"""Small conversions every importer needs: HTML to plain text, slugs, durations, kinds.

Schedules carry abstracts as HTML (FOSDEM), Markdown (pretalx) or plain text (iCalendar),
while the bot shows plain text in Telegram; and keys derived from names must come out the same
on every re-import, so slugs are a pure function of the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta
from html.parser import HTMLParser

from bot.domain.programme import SessionKind

_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "hr", "tr", "table", "blockquote", "pre", "section"}
    | {"article", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_PARAGRAPHS = frozenset({"p", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4"})
_HIDDEN = frozenset({"script", "style", "head", "title"})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in _BLOCKS and tag not in ("br", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(value: str | None) -> str:
    """Plain text with paragraphs kept; text without markup is only tidied."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not _MARKUP.search(text):
        lines = [line.rstrip() for line in text.split("\n")]
    else:
        collector = _Collector()
        collector.feed(text)
        collector.close()
        lines = [" ".join(line.split()) for line in "".join(collector.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def slugify(text: str, limit: int = 80) -> str:
    """Lower-case words joined by '-', Latin accents dropped, other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", plain)).strip("-")
    if not slug:
        return "x-" + hashlib.sha1(text.encode()).hexdigest()[:10]
    return slug[:limit].rstrip("-")


def content_key(title: str, starts_at: datetime) -> str:
    """A key for a record the source gives no id: stable while its title and start are."""
    return f"{slugify(title, 80)}-{starts_at.strftime('%Y%m%dT%H%M')}"


_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")


def parse_duration(value: str) -> timedelta:
    """'HH:MM' or 'HH:MM:SS' (frab, pretalx) as a timedelta; ValueError if it is neither."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"duration {value!r} is not HH:MM")
    hours, minutes, seconds = match.groups()
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))


_KINDS = (
    ("keynote", SessionKind.KEYNOTE),
    ("plenary", SessionKind.KEYNOTE),
    ("panel", SessionKind.PANEL),
    ("podium", SessionKind.PANEL),
    ("workshop", SessionKind.WORKSHOP),
    ("hands-on", SessionKind.WORKSHOP),
    ("tutorial", SessionKind.WORKSHOP),
)


def session_kind(type_name: str | None) -> SessionKind:
    """Map a source's free-text session type to ours; everything else is a talk."""
    lowered = (type_name or "").casefold()
    for word, kind in _KINDS:
        if word in lowered:
            return kind
    return SessionKind.TALK


_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def language_code(value: str | None, default: str = "en") -> str:
    """The primary language subtag ('de-DE' -> 'de'); the default when absent or unclear."""
    match = _LANGUAGE.match((value or "").strip())
    return match.group(1).lower() if match else default


def join_text(*parts: str) -> str:
    """Paragraphs joined by a blank line, empty and repeated ones left out."""
    return "\n\n".join(dict.fromkeys(p for p in parts if p))
