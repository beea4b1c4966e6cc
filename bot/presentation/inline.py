"""Inline mode and links: `@bot words` in any chat, and links that open one thing.

Inline mode answers with compact session cards the asker can post into the chat they are in,
each with a button that opens the session in the bot. Plain data, no Telegram types:
`handlers/inline.py` turns an `InlineAnswer` into answerInlineQuery's JSON.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from bot.domain.deep_links import Target, link
from bot.domain.message_split import shorten_html
from bot.domain.text import shorten
from bot.domain.views import SessionDetail
from bot.i18n import Localizer, isolate
from bot.presentation import Button, Reply
from bot.presentation.menu import main_menu
from bot.presentation.programme import (
    KIND_ICONS,
    LINE_TITLE_LIMIT,
    NAME_LIMIT,
    fit,
    people_lines,
    plain,
    room_line,
    when_line,
)

PAGE_SIZE = 20  # results per page (Telegram allows 50; 20 cards keep the answer small)
MAX_QUERY = 256  # what Telegram lets a user type after @bot
MAX_OFFSET = 10_000  # far beyond any programme: a larger offset is forged
CACHE_NOW_AND_NEXT = 30  # seconds: "now" changes as sessions start and end
CACHE_FOUND = 300  # Telegram's default; the programme changes rarely
START_PARAMETER = "inline"  # the results button opens the bot with `/start inline`
# Control characters and bidi formatting (embeddings, overrides, isolates, marks): they
# carry no words, and an override could turn the rest of the query around.
_UNWORDED = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class InlineResult:
    """One entry of the list above the text field, and the message it posts."""

    id: str  # unique within one answer, 1-64 bytes
    title: str  # plain text
    description: str  # plain text
    text: str  # the posted card, HTML, laid out for its reader
    buttons: tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class InlineAnswer:
    results: tuple[InlineResult, ...]
    next_offset: str  # "" when this is the last page
    cache_time: int
    is_personal: bool  # in the asker's language, so never cached for others
    button_text: str | None = None  # "Ask the bot" above an empty list
    button_start: str | None = None


def clean_query(text: str) -> str:
    """The words of a query: no control or bidi formatting characters, at most 256
    characters (Telegram sends no more; a forged update might)."""
    return " ".join(_UNWORDED.sub(" ", text[:MAX_QUERY]).split())


def parse_offset(offset: str) -> int:
    """Telegram sends back the `next_offset` we gave; anything else starts from the top."""
    if offset.isascii() and offset.isdigit() and len(offset) <= 5 and int(offset) <= MAX_OFFSET:
        return int(offset)
    return 0


def inline_answer(
    l10n: Localizer,
    sessions: Sequence[SessionDetail],
    *,
    total: int,
    offset: int,
    now_and_next: bool,
    bot_username: str,
) -> InlineAnswer:
    """One page of session cards; past the last page, nothing and no further offset; no
    results at all, a button that opens the bot instead."""
    seen: set[int] = set()
    results = []
    for session in sessions:
        if session.id not in seen:
            seen.add(session.id)
            results.append(session_result(l10n, session, bot_username))
    end = offset + len(sessions)
    next_offset = str(end) if sessions and end < total and end <= MAX_OFFSET else ""
    cache = CACHE_NOW_AND_NEXT if now_and_next else CACHE_FOUND
    if results or offset > 0:
        return InlineAnswer(tuple(results), next_offset, cache, is_personal=True)
    return InlineAnswer(
        (),
        "",
        cache,
        is_personal=True,
        button_text=plain(l10n._("Ask the bot")),
        button_start=START_PARAMETER,
    )


def session_result(l10n: Localizer, session: SessionDetail, bot_username: str) -> InlineResult:
    """Title, then day, time and room; posting it shows a compact card and an Open button."""
    return InlineResult(
        id=f"s{session.id}",
        # Telegram refuses an article without a title
        title=shorten(session.title, LINE_TITLE_LIMIT) or "…",
        description=plain(l10n.finish(session_description(l10n, session))),
        text=shorten_html(l10n.finish(compact_card(l10n, session))),  # one message, no more
        buttons=((open_button(l10n, Target.SESSION, session.id, bot_username),),),
    )


def session_description(l10n: Localizer, session: SessionDetail) -> str:
    when = l10n._(
        "{day}, {start}–{end}",
        day=l10n.day(session.starts_at),
        start=l10n.time(session.starts_at),
        end=l10n.time(session.ends_at),
    )
    line = when
    if session.room:
        line = l10n._("{when} · {room}", when=Markup(when), room=shorten(session.room, NAME_LIMIT))
    if session.cancelled:
        line = l10n._("❌ Cancelled: {session}", session=Markup(line))
    return line


def compact_card(l10n: Localizer, session: SessionDetail) -> str:
    """The session as posted into a chat: title, when, where, who."""
    title = isolate(html.escape(session.title, quote=False))
    lines = [f"{KIND_ICONS[session.kind]} <b>{title}</b>"]
    if session.cancelled:
        lines.append(l10n._("❌ <b>This session has been cancelled.</b>"))
    lines.append(when_line(l10n, session.starts_at, session.ends_at))
    if session.room:
        lines.append(room_line(l10n, session.room))
    lines += people_lines(l10n, session)
    return fit(lines)


def open_button(l10n: Localizer, target: Target, record_id: int, bot_username: str) -> Button:
    """A URL button (it works in any chat, unlike callback buttons in others' messages)."""
    return Button(plain(l10n._("🔎 Open in the bot")), url=link(bot_username, target, record_id))


def link_not_found(l10n: Localizer) -> Reply:
    """A link to a session, speaker or room that is not (or no longer) in the programme."""
    text = l10n._(
        "I could not find what this link points to: it may have been removed from the "
        "programme. Here is the menu."
    )
    return Reply(text, menu=main_menu(l10n))
