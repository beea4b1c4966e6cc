"""Texts that fit Telegram: split at line boundaries, or cut with an ellipsis.

Telegram refuses a message text over 4,096 characters and a caption over 1,024, counted in
UTF-16 code units of the text *after* entity parsing (the tags do not count, `&amp;` is one
character). A refused reply reaches nobody, so wherever a `Reply` becomes Bot API calls the
text is split here into messages that each fit: at a line break when one is near enough,
else between words, else between characters. A part never ends inside a tag or an entity,
and each part is valid HTML on its own: tags still open at its end are closed there and
opened again, with their attributes, at the start of the next part.

The input is our own Telegram HTML (escaped values, balanced tags, as the presentation and
`telegram_html.clean_html` write it).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
ELLIPSIS = "…"

_MARKUP = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{1,10});"
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*[^<>]*>")
_SPACES = frozenset(" \t")


def utf16_len(text: str) -> int:
    """A length as Telegram counts it: UTF-16 code units (an emoji is usually two)."""
    return len(text.encode("utf-16-le")) // 2


def fit_utf16(text: str, limit: int) -> str:
    """Plain text (no HTML) cut to `limit` UTF-16 units with an ellipsis when too long:
    a toast's or an alert's text (200 characters)."""
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit - 1:
            break
        kept.append(char)
        size += width
    return "".join(kept).rstrip() + ELLIPSIS


def visible_length(text: str) -> int:
    """The UTF-16 length Telegram gives `text` (our HTML) after parsing its tags."""
    if "<" not in text and "&" not in text:
        return utf16_len(text)
    return utf16_len(html.unescape(_TAG.sub("", text)))


def split_html(text: str, limit: int = TEXT_LIMIT, *, first_limit: int | None = None) -> list[str]:
    """`text` as parts of at most `limit` visible UTF-16 units each (the first at most
    `first_limit`, for a caption followed by messages); one part when it fits. Parts with
    nothing to read (only whitespace) are left out, as Telegram would refuse them."""
    first = limit if first_limit is None else first_limit
    if visible_length(text) <= first:
        return [text] if text.strip() else []
    atoms = _atoms(text)
    parts: list[str] = []
    stack: list[_Atom] = []  # the opening tags in force where the next part starts
    start = 0
    while start < len(atoms):
        end = _cut(atoms, start, first if not parts else limit)
        opening = "".join(tag.raw for tag in stack)
        body: list[str] = []
        for atom in atoms[start:end]:
            body.append(atom.raw)
            if atom.kind == "open":
                stack.append(atom)
            elif atom.kind == "close" and stack:
                stack.pop()
        closing = "".join(f"</{tag.name}>" for tag in reversed(stack))
        part = opening + "".join(body) + closing
        if any(a.visible.strip() for a in atoms[start:end]):
            parts.append(part)
        start = end
    return parts


def shorten_html(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` cut to fit in one message, at a line break if one is near, with an ellipsis:
    for the one text that cannot be split (an inline result's message)."""
    if visible_length(text) <= limit:
        return text
    return split_html(text, limit - 1)[0] + ELLIPSIS


@dataclass(frozen=True)
class _Atom:
    raw: str  # as written in the HTML
    visible: str  # what it adds to the parsed text
    kind: str  # "open", "close" (tags) or "text"
    name: str = ""  # the tag's name

    @property
    def width(self) -> int:
        return utf16_len(self.visible) if self.kind == "text" else 0


def _atoms(text: str) -> list[_Atom]:
    """Tags, entities and single characters: the units a part may end between."""
    atoms: list[_Atom] = []
    position = 0
    for match in _MARKUP.finditer(text):
        atoms.extend(_Atom(c, c, "text") for c in text[position : match.start()])
        raw = match.group(0)
        if match.group(2) is None:  # an entity: one character of the parsed text
            atoms.append(_Atom(raw, html.unescape(raw), "text"))
        elif match.group(1):
            atoms.append(_Atom(raw, "", "close", match.group(2).lower()))
        else:
            atoms.append(_Atom(raw, "", "open", match.group(2).lower()))
        position = match.end()
    atoms.extend(_Atom(c, c, "text") for c in text[position:])
    return atoms


def _cut(atoms: list[_Atom], start: int, limit: int) -> int:
    """Where the part starting at `start` ends (exclusive): after the last line break that
    keeps it within `limit`, else the last space, else the last character that fits. Tags
    right after the cut stay with the text they belong to: closing tags end this part,
    opening tags start the next."""
    size = 0
    newline = space = -1
    end = start
    while end < len(atoms):
        atom = atoms[end]
        if size + atom.width > limit:
            break
        size += atom.width
        end += 1
        if atom.visible == "\n":
            newline = end
        elif atom.visible in _SPACES:
            space = end
    else:
        return len(atoms)  # the rest fits
    if newline > start and _worth_it(atoms, start, newline, size, limit):
        end = newline
    elif space > start and _worth_it(atoms, start, space, size, limit):
        end = space
    while end < len(atoms) and atoms[end].kind == "close":
        end += 1  # a closing tag adds nothing: keep it with its text
    while end - 1 > start and atoms[end - 1].kind == "open":
        end -= 1  # an opening tag with nothing after it belongs to the next part
    return max(end, start + 1)


def _worth_it(atoms: list[_Atom], start: int, cut: int, size: int, limit: int) -> bool:
    """A break keeps at least half the room filled: a line break at the very start of a
    part is not worth a nearly empty message."""
    kept = sum(atom.width for atom in atoms[start:cut])
    return kept * 2 >= min(size, limit)
