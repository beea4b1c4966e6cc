"""Broadcasts as recipients and organizers see them once confirmed: the message itself, the
progress message, and the history."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from bot.domain.broadcast_views import BroadcastView, Content, Figures, State
from bot.domain.broadcasts import Audience, AudienceKind
from bot.domain.locales import RIGHT_TO_LEFT
from bot.domain.text import shorten
from bot.i18n import RLM, Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb
from bot.presentation.programme import LINE_TITLE_LIMIT, fit

ACTIVE = (State.SCHEDULED, State.SENDING)


def delivered(content: Content, locale: str) -> Reply:
    """What a reader of `locale` receives: their language's version, else the default."""
    version, text = content.version_for(locale)
    return Reply(as_written(text, version), attachment=content.attachment, finished=True)


def as_written(text: str, locale: str) -> str:
    """An organizer's text laid out in the direction of the language it is written in,
    whoever reads it: right-to-left versions get the line marks `Localizer.finish` adds; an
    English default read by an Arabic reader gets none, so its punctuation stays put."""
    if locale not in RIGHT_TO_LEFT:
        return text
    return "\n".join(RLM + line if line else line for line in text.split("\n"))


def audience_name(l10n: Localizer, audience: Audience, label: str) -> str:
    kind = audience.kind
    label = shorten(label, LINE_TITLE_LIMIT)  # a session's or a track's name
    if kind is AudienceKind.REGISTERED:
        return l10n._("registered attendees")
    if kind is AudienceKind.SESSION:
        return l10n._("people with “{session}” in their agenda", session=label)
    if kind is AudienceKind.TRACK:
        return l10n._("people with a session of the “{track}” track in their agenda", track=label)
    if kind is AudienceKind.SPEAKERS:
        return l10n._("speakers")
    if kind is AudienceKind.ORGANIZERS:
        return l10n._("organizers")
    if kind is AudienceKind.LANGUAGE:
        return l10n._("people who read {language}", language=l10n.language_name(audience.value))
    return l10n._("everyone")


def progress(l10n: Localizer, broadcast: BroadcastView) -> Reply:
    """The organizer's progress message, edited as the figures change."""
    to = Markup(audience_name(l10n, broadcast.audience, broadcast.audience_label))
    lines = [
        l10n._("📣 <b>Broadcast #{id}</b> to {audience}", id=str(broadcast.id), audience=to),
        _state_line(l10n, broadcast),
        *figure_lines(l10n, broadcast.figures),
    ]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if broadcast.state in ACTIVE:
        label = l10n._("✖ Cancel the broadcast")
        buttons = ((Button(label, cb(verbs.BROADCAST_CANCEL, broadcast.id)),),)
    return Reply("\n".join(lines), buttons=buttons)


def figure_lines(l10n: Localizer, figures: Figures) -> list[str]:
    lines = [
        l10n._(
            "Sent {sent} · pending {pending} · failed {failed} · unreachable {unreachable}",
            sent=l10n.number(figures.sent),
            pending=l10n.number(figures.pending),
            failed=l10n.number(figures.failed),
            unreachable=l10n.number(figures.unreachable),
        )
    ]
    if figures.cancelled:
        lines.append(l10n._("Cancelled before sending: {n}", n=l10n.number(figures.cancelled)))
    if figures.skipped:
        lines.append(l10n._("Not sent for other reasons: {n}", n=l10n.number(figures.skipped)))
    return lines


def history(l10n: Localizer, broadcasts: Sequence[BroadcastView]) -> Reply:
    if not broadcasts:
        return Reply(l10n._("No broadcasts yet. Start one with /broadcast."))
    lines = [l10n._("<b>Broadcasts</b> (newest first)")]
    for broadcast in broadcasts:
        to = Markup(audience_name(l10n, broadcast.audience, broadcast.audience_label))
        lines += [
            "",
            l10n._(
                "#{id} · {day} {time} · {audience} · {state}",
                id=str(broadcast.id),
                day=l10n.day(broadcast.scheduled_at),
                time=l10n.time(broadcast.scheduled_at),
                audience=to,
                state=state_name(l10n, broadcast.state),
            ),
            *figure_lines(l10n, broadcast.figures),
        ]
    return Reply(fit(lines))


def state_name(l10n: Localizer, state: State) -> str:
    names = {
        State.SCHEDULED: l10n._("scheduled"),
        State.SENDING: l10n._("sending"),
        State.DONE: l10n._("done"),
        State.CANCELLED: l10n._("cancelled"),
    }
    return names[state]


def already_confirmed(l10n: Localizer) -> str:
    return l10n._("This broadcast was already confirmed.")


def _state_line(l10n: Localizer, broadcast: BroadcastView) -> str:
    if broadcast.state is State.SCHEDULED:
        return l10n._(
            "🕒 Scheduled for {day} at {time}.",
            day=l10n.day(broadcast.scheduled_at),
            time=l10n.time(broadcast.scheduled_at),
        )
    if broadcast.state is State.SENDING:
        return l10n._("📤 Sending…")
    if broadcast.state is State.DONE:
        return l10n._("✅ Finished.")
    return l10n._("🚫 Cancelled.")
