"""Search results: matching sessions and speakers, or a helpful nudge when nothing matches."""

from __future__ import annotations

from bot.domain.views import SearchResults
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation.callbacks import ORIGIN_SEARCH, cb
from bot.presentation.people import speaker_button
from bot.presentation.programme import fit, session_button, session_line


def search_results(l10n: Localizer, query: str, results: SearchResults) -> Reply:
    if results.empty:
        text = l10n._(
            "I found nothing for “{query}”. Try a speaker's name, a topic such as “climate” "
            "or “ethics”, or a room, in any of our four languages.",
            query=query,
        )
        buttons = ((Button(l10n._("📅 Browse the programme"), cb("days")),),)
        return Reply(text, buttons=buttons)
    lines = [l10n._("🔎 Results for “{query}”", query=query), ""]
    if results.sessions:
        lines.append(
            l10n.ngettext("<b>{n} session</b>", "<b>{n} sessions</b>", len(results.sessions))
        )
        lines += [session_line(l10n, s, show_day=True) for s in results.sessions]
        lines.append("")
    if results.speakers:
        lines.append(
            l10n.ngettext("<b>{n} speaker</b>", "<b>{n} speakers</b>", len(results.speakers))
        )
        lines += [f"🎤 {l10n.join([s.name])}" for s in results.speakers]
    rows = [(session_button(l10n, s, ORIGIN_SEARCH),) for s in results.sessions]
    rows += [(speaker_button(s),) for s in results.speakers]
    return Reply(fit(lines), buttons=tuple(rows[:40]))
