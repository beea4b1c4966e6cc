"""Speaker screens: an alphabetical, paginated list and a card with their sessions."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.domain.paging import paginate
from bot.domain.text import shorten
from bot.domain.views import SpeakerDetail, SpeakerSummary
from bot.i18n import Localizer, isolate
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb, origin_speaker
from bot.presentation.programme import (
    BUTTON_TITLE_LIMIT,
    fit,
    nav_row,
    page_counter,
    session_button,
    session_line,
)

SPEAKERS_PER_PAGE = 10
LISTED_SESSIONS = 40  # buttons under a speaker's card (Telegram takes at most 100)


SHORTEST_ORGANIZATION = 12


def speaker_button(speaker: SpeakerSummary) -> Button:
    return Button(speaker_label(speaker), cb(verbs.SPEAKER, speaker.id))


def speaker_label(speaker: SpeakerSummary) -> str:
    """🎤 name · organization, each shortened and isolated on its own, as session buttons are:
    a Latin organization after an Arabic name keeps its ellipsis at its own end."""
    name = shorten(speaker.name, BUTTON_TITLE_LIMIT)
    label = "🎤 " + isolate(name)
    if speaker.organization:
        room = max(BUTTON_TITLE_LIMIT - len(name) - 3, SHORTEST_ORGANIZATION)
        label += " · " + isolate(shorten(speaker.organization, room))
    return label


def speaker_list(l10n: Localizer, speakers: Sequence[SpeakerSummary], page_number: int) -> Reply:
    page = paginate(speakers, page_number, SPEAKERS_PER_PAGE)
    lines = [
        l10n.ngettext("🎤 <b>{n} speaker</b>", "🎤 <b>{n} speakers</b>", len(speakers)),
        l10n._("Choose a speaker to see their sessions."),
    ]
    if page.count > 1:
        lines += ["", page_counter(l10n, page)]
    rows: list[tuple[Button, ...]] = [(speaker_button(s),) for s in page.items]
    rows.append(nav_row(l10n, page, lambda p: cb(verbs.SPEAKERS, p)))
    return Reply("\n".join(lines), buttons=tuple(r for r in rows if r))


def speaker_card(l10n: Localizer, speaker: SpeakerDetail) -> Reply:
    lines = [f"🎤 <b>{isolate(html.escape(speaker.name, quote=False))}</b>"]
    if speaker.organization:
        lines.append(l10n._("🏢 {organization}", organization=speaker.organization))
    if speaker.bio:
        lines += ["", html.escape(shorten(speaker.bio, 1200), quote=False)]
    lines += ["", l10n._("<b>Sessions</b>")]
    if speaker.sessions:
        lines += [session_line(l10n, s, show_day=True) for s in speaker.sessions]
    else:
        lines.append(l10n._("No sessions in the programme."))
    rows = [
        (session_button(l10n, s, origin_speaker(speaker.id)),)
        for s in speaker.sessions[:LISTED_SESSIONS]
    ]
    rows.append((Button(l10n._("« All speakers"), cb(verbs.SPEAKERS, 0)),))
    return Reply(fit(lines), buttons=tuple(rows))
