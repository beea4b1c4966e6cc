"""The broadcast dialogue as organizers see it: one question at a time, then the preview."""

from __future__ import annotations

from markupsafe import Markup

from bot.domain.broadcast_views import Content, Prompt, Reach
from bot.domain.broadcasts import AudienceKind, Draft, Step
from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.text import shorten
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.broadcast_problems import problem_text
from bot.presentation.broadcast_status import audience_name, delivered
from bot.presentation.callbacks import cb
from bot.presentation.programme import BUTTON_TITLE_LIMIT, plain
from bot.presentation.registration import autonym

Rows = tuple[tuple[Button, ...], ...]
LISTED_TRACKS = 90  # a button each (tracks, sessions); Telegram takes at most 100
ECHO_LIMIT = 100  # the words typed to find a session, as echoed


def prompt(l10n: Localizer, found: Prompt) -> Reply:
    """The screen of the current step, after the reason the last answer was refused."""
    reply = _screen(l10n, found)
    if found.problem is None or found.step is Step.PREVIEW:  # the summary says it itself
        return reply
    return Reply(problem_text(l10n, found) + "\n\n" + reply.text, buttons=reply.buttons)


def preview(l10n: Localizer, found: Prompt) -> list[Reply]:
    """An introduction, each version exactly as its readers will get it, then the figures
    and what to do."""
    draft = found.draft
    versions = (draft.default_locale, *draft.versions())
    names = l10n.join(l10n.language_name(v) for v in versions)
    intro = Reply(
        l10n._("👀 <b>Preview</b>, one message per version: {languages}.", languages=Markup(names))
    )
    content = Content(dict(draft.texts), draft.default_locale, draft.attachment)
    return [intro, *(delivered(content, v) for v in versions), summary(l10n, found)]


def summary(l10n: Localizer, found: Prompt) -> Reply:
    reach = found.reach or Reach.of({})
    lines = [_to_line(l10n, found), "", *_reach_lines(l10n, found.draft, reach)]
    if found.problem is not None:
        lines = [problem_text(l10n, found), "", *lines]
    send = (
        Button(l10n._("🚀 Send now"), cb(verbs.BROADCAST, "now", "")),
        Button(l10n._("🕒 Schedule"), cb(verbs.BROADCAST, "when", "")),
    )
    rows = (send,) if reach.total else ()
    edit = (Button(l10n._("✏️ Edit"), cb(verbs.BROADCAST, "edit", "")), _cancel(l10n))
    return Reply("\n".join(lines), buttons=(*rows, edit))


def discarded(l10n: Localizer) -> Reply:
    return Reply(l10n._("Broadcast discarded. Nothing was sent."))


# --- the steps -------------------------------------------------------------------------------
def _screen(l10n: Localizer, found: Prompt) -> Reply:
    step, draft = found.step, found.draft
    if step is Step.AUDIENCE:
        return _audiences(l10n)
    if step is Step.SESSION:
        return _sessions(l10n, found)
    if step is Step.TRACK:
        rows = tuple(
            (Button(shorten(t.label, BUTTON_TITLE_LIMIT), cb(verbs.BROADCAST, "trk", t.id)),)
            for t in found.tracks[:LISTED_TRACKS]
        )
        text = l10n._("Which track?") if rows else l10n._("The programme has no tracks.")
        return Reply(text, buttons=(*rows, _back_cancel(l10n, "aud")))
    if step is Step.GROUP:
        return Reply(l10n._("Which language group?"), buttons=_languages(l10n, "grp"))
    if step is Step.TEXT:
        return _ask_text(l10n, found)
    if step is Step.DEFAULT:
        text = l10n._(
            "In which language will you write? People whose language has no version of its "
            "own get this one."
        )
        return Reply(text, buttons=_languages(l10n, "def"))
    if step is Step.VERSIONS:
        return _versions(l10n, draft)
    if step is Step.VERSION:
        language = l10n.language_name(draft.pending or draft.default_locale)
        text = l10n._(
            "✍️ Send the {language} version, as text. The photo or document, if any, goes "
            "with every version.",
            language=language,
        )
        return Reply(text, buttons=(_back_cancel(l10n, "ver"),))
    if step is Step.EDIT:
        return _edit(l10n)
    if step is Step.SCHEDULE:
        return _ask_time(l10n)
    if step is Step.WHEN:
        return _confirm_time(l10n, found)
    return summary(l10n, found)  # PREVIEW (the version messages are sent separately)


def _audiences(l10n: Localizer) -> Reply:
    labels = {
        AudienceKind.EVERYONE: l10n._("👥 Everyone"),
        AudienceKind.REGISTERED: l10n._("🎫 Registered attendees"),
        AudienceKind.SESSION: l10n._("📌 By session"),
        AudienceKind.TRACK: l10n._("🗂 By track"),
        AudienceKind.SPEAKERS: l10n._("🎤 Speakers"),
        AudienceKind.ORGANIZERS: l10n._("🛠 Organizers"),
        AudienceKind.LANGUAGE: l10n._("🌐 One language"),
    }
    buttons = [
        Button(label, cb(verbs.BROADCAST, "aud", kind.value)) for kind, label in labels.items()
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    lines = [
        l10n._("📣 <b>New broadcast</b>"),
        l10n._("Who should receive it?"),
        l10n._("By session or by track: the people who have it in their agenda."),
    ]
    return Reply("\n".join(lines), buttons=(*rows, (_cancel(l10n),)))


def _sessions(l10n: Localizer, found: Prompt) -> Reply:
    leave = _back_cancel(l10n, "aud")
    if not found.sessions:
        return Reply(l10n._("Type a few words from the session's title."), buttons=(leave,))
    rows = tuple(
        (
            Button(
                plain(
                    l10n._(
                        "{day} {time} · {title}",
                        day=l10n.day(s.starts_at),
                        time=l10n.time(s.starts_at),
                        title=shorten(s.title, BUTTON_TITLE_LIMIT),
                    )
                ),
                cb(verbs.BROADCAST, "ses", s.id),
            ),
        )
        for s in found.sessions[:LISTED_TRACKS]
    )
    text = l10n._(
        "Sessions matching “{query}”: choose one, or type other words.",
        query=shorten(found.query, ECHO_LIMIT),
    )
    return Reply(text, buttons=(*rows, leave))


def _ask_text(l10n: Localizer, found: Prompt) -> Reply:
    draft = found.draft
    lines = [
        _to_line(l10n, found),
        l10n._(
            "✍️ Now send the message in {language}: text, or a photo or document with a "
            "caption. Bold, italic and links are kept.",
            language=l10n.language_name(draft.default_locale),
        ),
    ]
    editing = draft.default_text is not None  # back from the preview's Edit
    back = (_to_preview(l10n), _cancel(l10n)) if editing else _back_cancel(l10n, "aud")
    buttons = (
        (Button(l10n._("🌐 Write in another language"), cb(verbs.BROADCAST, "lang", "")),),
        back,
    )
    return Reply("\n".join(lines), buttons=buttons)


def _versions(l10n: Localizer, draft: Draft) -> Reply:
    text = l10n._(
        "✅ Got it. Add a version in another language? Everyone gets the version in their "
        "language; the others get the {language} one.",
        language=l10n.language_name(draft.default_locale),
    )
    others = [code for code in SUPPORTED_LOCALES if code != draft.default_locale]
    buttons = [
        Button(
            f"{'✏️' if code in draft.texts else '➕'} {autonym(code)}",
            cb(verbs.BROADCAST, "ver", code),
        )
        for code in others
    ]
    done = (Button(l10n._("👀 Done: preview"), cb(verbs.BROADCAST, "done", "")),)
    return Reply(text, buttons=(tuple(buttons), done, (_cancel(l10n),)))


def _edit(l10n: Localizer) -> Reply:
    buttons = (
        (
            Button(l10n._("👥 Audience"), cb(verbs.BROADCAST, "edit", "aud")),
            Button(l10n._("✍️ Message"), cb(verbs.BROADCAST, "edit", "txt")),
        ),
        (Button(l10n._("🌐 Other languages"), cb(verbs.BROADCAST, "edit", "ver")),),
        (_to_preview(l10n),),
    )
    return Reply(l10n._("✏️ What would you like to change?"), buttons=buttons)


def _ask_time(l10n: Localizer) -> Reply:
    text = l10n._(
        "🕒 When should it go out? Type a time in {zone}: 14:30 for the next 14:30, or a "
        "date and time such as 2026-03-15 09:00.",
        zone=l10n.zone_name(),
    )
    return Reply(text, buttons=((_to_preview(l10n), _cancel(l10n)),))


def _confirm_time(l10n: Localizer, found: Prompt) -> Reply:
    when = found.draft.send_at
    total = found.reach.total if found.reach else 0
    if when is None:
        return _ask_time(l10n)
    text = l10n.ngettext(
        "🕒 Send on {day} at {time} ({zone}) to {n} person?",
        "🕒 Send on {day} at {time} ({zone}) to {n} people?",
        total,
        day=l10n.day(when),
        time=l10n.time(when),
        zone=l10n.zone_name(),
    )
    buttons = (
        (Button(l10n._("✅ Confirm"), cb(verbs.BROADCAST, "ok", "")),),
        (Button(l10n._("🕒 Another time"), cb(verbs.BROADCAST, "when", "")),),
        (_to_preview(l10n), _cancel(l10n)),
    )
    return Reply(text, buttons=buttons)


# --- pieces ----------------------------------------------------------------------------------
def _to_line(l10n: Localizer, found: Prompt) -> str:
    audience = found.draft.audience
    if audience is None:
        return ""
    return l10n._(
        "To: {audience}", audience=Markup(audience_name(l10n, audience, found.audience_label))
    )


def _reach_lines(l10n: Localizer, draft: Draft, reach: Reach) -> list[str]:
    lines = [
        l10n.ngettext("Recipients: {n} person", "Recipients: {n} people", reach.total),
    ]
    default = l10n.language_name(draft.default_locale)
    for locale, count in reach.per_locale:
        language, number = l10n.language_name(locale), l10n.number(count)
        if locale in draft.texts:
            line = l10n._("{language}: {count} · own version", language=language, count=number)
        else:
            line = l10n._(
                "{language}: {count} · the {version} version",
                language=language,
                count=number,
                version=default,
            )
        lines.append(line)
    return lines


def _languages(l10n: Localizer, action: str) -> Rows:
    buttons = tuple(
        Button(autonym(code), cb(verbs.BROADCAST, action, code)) for code in SUPPORTED_LOCALES
    )
    return (buttons[:2], buttons[2:], (_cancel(l10n),))


def _back_cancel(l10n: Localizer, target: str) -> tuple[Button, ...]:
    return (Button(l10n._("« Back"), cb(verbs.BROADCAST, "edit", target)), _cancel(l10n))


def _to_preview(l10n: Localizer) -> Button:
    return Button(l10n._("« Back to the preview"), cb(verbs.BROADCAST, "prev", ""))


def _cancel(l10n: Localizer) -> Button:
    return Button(l10n._("✖ Cancel"), cb(verbs.BROADCAST, "cancel", ""))
