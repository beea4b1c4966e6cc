"""Telegram's ``parse_mode=HTML`` dialect, parsed the way the Bot API server does.

Why: Telegram rejects a whole message when its HTML is malformed or uses an unsupported tag,
and it limits texts by their length *after* entity parsing in UTF-16 code units.  The fake must
reproduce both so a bot that passes our tests does not fail on the real API.  We are a bit
stricter than Telegram itself: a bare ``&`` or ``>`` is refused, as the Bot API docs demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# tag -> entity type ("" means "decided by attributes")
_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME = re.compile(r"[a-zA-Z0-9-]+")
_TEXT_RUN = re.compile(r"[^&<>]+")
_ATTR = re.compile(r"\s*([a-zA-Z0-9_-]+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")


class HtmlParseError(ValueError):
    """Malformed Telegram HTML; the message mimics the Bot API's wording."""


@dataclass
class _Open:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the output text


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str | None:
    body = match.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED_ENTITIES.get(body)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _parse_attrs(raw: str, tag: str, where: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        if raw[pos:].strip() in ("", "/"):
            break
        match = _ATTR.match(raw, pos)
        if not match or match.end() == pos:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {where}')
        value = match.group(2) or ""
        if value[:1] in ('"', "'"):
            value = value[1:-1]
        attrs[match.group(1).lower()] = _ENTITY.sub(
            lambda m: _decode_entity(m) or m.group(0), value
        )
        pos = match.end()
    return attrs


def _entity_for(tag: _Open, length: int) -> dict[str, Any] | None:
    kind = _TAGS[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        if href.startswith("tg://user?id="):
            return None  # a text_mention needs a full User; Telegram resolves it server-side
        entity["url"] = href
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "code" and "__in_pre" in tag.attrs:
        return None  # <pre><code> yields a single "pre" entity
    elif tag.name == "pre":
        lang = tag.attrs.get("__language")
        if lang:
            entity["language"] = lang
    return entity


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, MessageEntity dicts) or raise :class:`HtmlParseError`."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of ``out``
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char == "&":
            match = _ENTITY.match(source, i)
            decoded = _decode_entity(match) if match else None
            if match is None or decoded is None:
                raise HtmlParseError(
                    f'Unsupported HTML entity or unescaped "&" at byte offset '
                    f"{_byte_offset(source, i)}"
                )
            out.append(decoded)
            out_len += utf16_len(decoded)
            i = match.end()
            continue
        if char == ">":
            raise HtmlParseError(f'Unescaped ">" at byte offset {_byte_offset(source, i)}')
        if char != "<":  # a run of text up to the next markup character, in one step
            run = _TEXT_RUN.match(source, i)
            assert run is not None
            out.append(run.group(0))
            out_len += utf16_len(run.group(0))
            i = run.end()
            continue
        where = _byte_offset(source, i)
        close = source.find(">", i)
        if source.startswith("</", i):
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {where}")
            name = source[i + 2 : close].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {where}")
            top = stack[-1]
            if name != top.name:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {where}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            length = out_len - top.offset
            if length > 0:
                entity = _entity_for(top, length)
                if entity:
                    entities.append(entity)
            i = close + 1
            continue
        name_match = _TAG_NAME.match(source, i + 1)
        if close == -1:
            raise HtmlParseError(f"Unclosed start tag at byte offset {where}")
        if not name_match:
            raise HtmlParseError(f'Unsupported start tag "" at byte offset {where}')
        name = name_match.group(0).lower()
        if name not in _TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {where}')
        if source[i + 1 : close].rstrip().endswith("/"):
            raise HtmlParseError(f'Unsupported self-closing tag "{name}" at byte offset {where}')
        attrs = _parse_attrs(source[name_match.end() : close], name, where)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
        if name == "code" and stack and stack[-1].name == "pre":
            attrs["__in_pre"] = "1"
            language = attrs.get("class", "")
            if language.startswith("language-"):
                stack[-1].attrs["__language"] = language[len("language-") :]
        stack.append(_Open(name, attrs, out_len))
        i = close + 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_html(source: str) -> str:
    """Plain text of a Telegram-HTML string; falls back to the raw text if it is malformed."""
    try:
        return parse_html(source)[0]
    except HtmlParseError:
        return source
