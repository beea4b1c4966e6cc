"""What speakers see (their welcome, their sessions, alerts, check-in) and the organizers'
invite screens and report of speakers not yet here."""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup

from bot.domain.paging import paginate
from bot.domain.reminder_views import ChangeNotice
from bot.domain.speakers import (
    ALERT_CHOICES,
    CHECKIN_LEAD,
    HERE,
    LATE,
    AlertSetting,
    Invite,
    MissingReport,
    PeopleNotice,
    Revoked,
    SpeakerAlert,
    SpeakerChoice,
    SpeakerHome,
    SpeakerSession,
)
from bot.domain.text import shorten
from bot.domain.views import PersonRef, SessionSummary, SpeakerSummary
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation import reminders as reminder_screens
from bot.presentation.callbacks import cb
from bot.presentation.people import speaker_button
from bot.presentation.programme import (
    LINE_TITLE_LIMIT,
    NAME_LIMIT,
    fit,
    nav_row,
    page_counter,
    people_lines,
    plain,
    room_line,
    session_line,
    when_line,
)

INVITES_PER_PAGE = 10
ECHO_LIMIT = 100  # a name searched for is echoed this long at most


# --- organizers ------------------------------------------------------------------------------
def invite_picker(
    l10n: Localizer, speakers: Sequence[SpeakerChoice], page_number: int, query: str = ""
) -> Reply:
    """The speakers to invite, page by page (or those matching `query`); ✅ marks a speaker
    already linked to an account (a new link would move them to whoever opens it)."""
    lines = [l10n._("🔗 <b>Speaker invites</b>"), l10n._("Choose the speaker to invite.")]
    rows = _picker_rows(l10n, speakers, page_number, query, lines, verbs.INVITE, verbs.INVITE_PAGE)
    if any(s.linked for s in speakers):
        lines.append(l10n._("✅ already linked to an account"))
    lines += ["", l10n._("To find a speaker, send /invite and part of their name.")]
    return Reply("\n".join(lines), buttons=rows)


def revoke_picker(
    l10n: Localizer, speakers: Sequence[SpeakerChoice], page_number: int, query: str = ""
) -> Reply:
    """The speakers with open invites: choosing one withdraws them."""
    lines = [
        l10n._("🚫 <b>Withdraw invites</b>"),
        l10n._("Choose the speaker whose open invites to withdraw."),
    ]
    rows = _picker_rows(l10n, speakers, page_number, query, lines, verbs.REVOKE, verbs.REVOKE_PAGE)
    return Reply("\n".join(lines), buttons=rows)


def _picker_rows(
    l10n: Localizer,
    speakers: Sequence[SpeakerChoice],
    page_number: int,
    query: str,
    lines: list[str],
    verb: str,
    page_verb: str,
) -> tuple[tuple[Button, ...], ...]:
    """A speaker per row; pages of the whole list, or the first matches of a search (the
    search is not in the buttons: typing more of the name narrows it)."""
    if query:
        shown = speakers[:INVITES_PER_PAGE]
        if len(speakers) > len(shown):
            lines += [
                "",
                l10n.ngettext(
                    "{n} speaker matches; type more of the name to see the others.",
                    "{n} speakers match; type more of the name to see the others.",
                    len(speakers),
                ),
            ]
        return tuple((_choice_button(s, verb),) for s in shown)
    page = paginate(speakers, page_number, INVITES_PER_PAGE)
    if page.count > 1:
        lines += ["", page_counter(l10n, page)]
    rows: list[tuple[Button, ...]] = [(_choice_button(s, verb),) for s in page.items]
    rows.append(nav_row(l10n, page, lambda p: cb(page_verb, p)))
    return tuple(r for r in rows if r)


def _choice_button(speaker: SpeakerChoice, verb: str) -> Button:
    label = speaker_button(SpeakerSummary(speaker.id, speaker.name, speaker.organization)).label
    if speaker.linked:
        label = "✅ " + label.removeprefix("🎤 ")
    return Button(label, cb(verb, speaker.id))


def no_match(l10n: Localizer, query: str) -> Reply:
    return Reply(l10n._("No speaker matches “{query}”.", query=shorten(query, ECHO_LIMIT)))


def no_open_invites(l10n: Localizer) -> Reply:
    return Reply(l10n._("No speaker has an open invite."))


def revoked_speaker(l10n: Localizer, revoked: Revoked) -> Reply:
    return Reply(
        l10n.ngettext(
            "🚫 {n} open invite of {name} revoked.",
            "🚫 {n} open invites of {name} revoked.",
            revoked.count,
            name=shorten(revoked.speaker_name, NAME_LIMIT),
        )
    )


def invite_link(l10n: Localizer, invite: Invite, link: str) -> Reply:
    lines = [
        l10n._(
            "🔗 A one-time link for <b>{name}</b>, valid until {day}:",
            name=shorten(invite.speaker_name, NAME_LIMIT),
            day=l10n.day(invite.expires_at),
        ),
        f"<code>{html.escape(link)}</code>",  # copied as it is: never isolated
        "",
        l10n._(
            "Send it to the speaker only. Whoever opens it first becomes this speaker in the bot."
        ),
    ]
    return Reply("\n".join(lines))


def no_speakers(l10n: Localizer) -> Reply:
    return Reply(l10n._("The programme has no speakers yet."))


def revoked(l10n: Localizer, count: int) -> Reply:
    return Reply(
        l10n.ngettext("🚫 {n} open invite revoked.", "🚫 {n} open invites revoked.", count)
    )


def missing_report(l10n: Localizer, report: MissingReport) -> Reply:
    lines = [
        l10n.ngettext(
            "⚠️ {n} speaker of the {time} sessions has not confirmed being here:",
            "⚠️ {n} speakers of the {time} sessions have not confirmed being here:",
            len(report.missing),
            time=l10n.time(report.starts_at),
        ),
        "",
    ]
    for person in report.missing:
        if person.status == LATE:
            line = l10n._(
                "🏃 {name} ({title}): running late",
                name=shorten(person.name, NAME_LIMIT),
                title=shorten(person.session_title, LINE_TITLE_LIMIT),
            )
        else:
            line = l10n._(
                "❔ {name} ({title}): no answer",
                name=shorten(person.name, NAME_LIMIT),
                title=shorten(person.session_title, LINE_TITLE_LIMIT),
            )
        lines.append(line)
    return Reply(fit(lines))


# --- speakers --------------------------------------------------------------------------------
def linked(l10n: Localizer, home: SpeakerHome) -> Reply:
    lines = [
        l10n._(
            "🎤 Welcome, <b>{name}</b>! You are now linked as a speaker.",
            name=shorten(home.name, NAME_LIMIT),
        ),
        l10n._(
            "I will alert you before each of your sessions and tell you at once if one changes."
        ),
        "",
        *_session_lines(l10n, home.sessions),
    ]
    return Reply(fit(lines))


def linked_again(l10n: Localizer, home: SpeakerHome) -> Reply:
    """The speaker opened their own invite link again: nothing to do but welcome them."""
    lines = [
        l10n._(
            "🎤 Welcome back, <b>{name}</b>! You are linked as a speaker.",
            name=shorten(home.name, NAME_LIMIT),
        ),
        "",
        *_session_lines(l10n, home.sessions),
    ]
    return Reply(fit(lines), buttons=((Button(l10n._("🔔 Alerts"), cb(verbs.SPEAKER_ALERTS)),),))


def invite_refused(l10n: Localizer, reason: str) -> Reply:
    texts = {
        "used": l10n._(
            "🔒 This invite link has already been used. Ask the organizers for a new one."
        ),
        "expired": l10n._("⌛ This invite link has expired. Ask the organizers for a new one."),
        "revoked": l10n._("🚫 This invite link was withdrawn. Ask the organizers for a new one."),
    }
    default = l10n._("❓ This invite link is not valid. Check that you copied all of it.")
    return Reply(texts.get(reason, default))


def not_a_speaker(l10n: Localizer) -> Reply:
    return Reply(
        l10n._("This is for speakers. Open the invite link the organizers sent you first.")
    )


def my_sessions(l10n: Localizer, home: SpeakerHome) -> Reply:
    lines = [l10n._("🎤 <b>Your sessions</b>, {name}", name=shorten(home.name, NAME_LIMIT)), ""]
    lines += _session_lines(l10n, home.sessions)
    return Reply(fit(lines), buttons=((Button(l10n._("🔔 Alerts"), cb(verbs.SPEAKER_ALERTS)),),))


# --- a speaker's alert setting ----------------------------------------------------------------
def alert_arg(choice: tuple[int, ...] | None) -> str:
    """The callback argument of a choice: "d" (the event's default), "0" (off), "60-15"."""
    if choice is None:
        return "d"
    return "-".join(str(n) for n in choice) or "0"


def alert_choice(arg: str) -> tuple[bool, tuple[int, ...] | None]:
    """(True, choice) for an argument `alert_arg` makes of a choice offered; else (False, None)."""
    for choice in (None, *ALERT_CHOICES):
        if alert_arg(choice) == arg:
            return True, choice
    return False, None


def alert_settings(l10n: Localizer, setting: AlertSetting) -> Reply:
    lines = [
        l10n._("🔔 <b>Alerts before your sessions</b>"),
        "",
        l10n._("Now: {choice}", choice=Markup(_leads_label(l10n, setting.leads))),
        l10n.ngettext(
            "The question whether you are at the venue still comes {n} minute before.",
            "The question whether you are at the venue still comes {n} minutes before.",
            CHECKIN_LEAD,
        ),
    ]
    rows = [(_alert_button(l10n, None, setting),)]
    rows += [(_alert_button(l10n, choice, setting),) for choice in ALERT_CHOICES]
    return Reply("\n".join(lines), buttons=tuple(rows))


def alerts_changed(l10n: Localizer, setting: AlertSetting) -> str:
    return l10n._("🔔 Alerts: {choice}", choice=Markup(_leads_label(l10n, setting.leads)))


def _alert_button(l10n: Localizer, choice: tuple[int, ...] | None, setting: AlertSetting) -> Button:
    if choice is None:
        label = l10n._(
            "Event default ({choice})", choice=Markup(_leads_label(l10n, setting.default))
        )
    else:
        label = _leads_label(l10n, choice)
    mark = "✅ " if choice == setting.chosen else ""
    return Button(plain(mark + label), cb(verbs.SPEAKER_ALERTS_SET, alert_arg(choice)))


def _leads_label(l10n: Localizer, leads: tuple[int, ...]) -> str:
    if not leads:
        return l10n._("Off")
    return l10n._("{minutes} min", minutes=" + ".join(l10n.number(n) for n in leads))


# --- co-speaker changes -------------------------------------------------------------------------
def people_change(l10n: Localizer, notice: PeopleNotice) -> Reply:
    """Who joined or left the speaker's session; or that they were added to or removed from it."""
    session = notice.session
    when = when_line(l10n, notice.starts_at, notice.ends_at)
    if notice.you == "removed":
        lines = [
            l10n._(
                "🎤 You are no longer listed for <b>{title}</b>.",
                title=shorten(notice.title, LINE_TITLE_LIMIT),
            ),
            "",
            when,
            "",
            l10n._("If this is a mistake, please tell the organizers."),
        ]
        return Reply(fit(lines))
    assert session is not None  # only a removal is told about a session that is gone
    facts = [when, *([room_line(l10n, session.room)] if session.room else [])]
    facts += people_lines(l10n, session)
    if notice.you == "added":
        headline = l10n._(
            "🎤 You are now listed for <b>{title}</b>.",
            title=shorten(notice.title, LINE_TITLE_LIMIT),
        )
        return Reply(fit([headline, "", *facts]))
    lines = [
        l10n._(
            "👥 The people of your session <b>{title}</b> changed.",
            title=shorten(notice.title, LINE_TITLE_LIMIT),
        )
    ]
    if notice.joined:
        lines.append(l10n._("➕ Joined: {names}", names=Markup(_names(l10n, notice.joined))))
    if notice.left:
        lines.append(
            l10n._("➖ No longer listed: {names}", names=Markup(_names(l10n, notice.left)))
        )
    return Reply(fit([*lines, "", *facts]))


def _names(l10n: Localizer, people: Sequence[PersonRef]) -> str:
    return l10n.join_rendered(
        l10n._("{name} (moderator)", name=p.name) if p.role == "moderator" else l10n.join([p.name])
        for p in people
    )


def alert(l10n: Localizer, found: SpeakerAlert) -> Reply:
    title = shorten(found.item.session.title, LINE_TITLE_LIMIT)
    headline = l10n.ngettext(
        "🎤 Your session <b>{title}</b> starts in {n} minute.",
        "🎤 Your session <b>{title}</b> starts in {n} minutes.",
        found.minutes,
        title=title,
    )
    return Reply(fit([headline, "", *_facts(l10n, found.item)]))


def checkin_question(l10n: Localizer, found: SpeakerAlert) -> Reply:
    session = found.item.session
    text = l10n.ngettext(
        "🎤 <b>{title}</b> starts in {n} minute. Are you at the venue?",
        "🎤 <b>{title}</b> starts in {n} minutes. Are you at the venue?",
        found.minutes,
        title=shorten(session.title, LINE_TITLE_LIMIT),
    )
    lines = [text, "", when_line(l10n, session.starts_at, session.ends_at)]
    if session.room:
        lines.append(room_line(l10n, session.room))
    buttons = (
        (
            Button(l10n._("✅ I'm here"), cb(verbs.SPEAKER_CHECKIN, session.id, "h")),
            Button(l10n._("🏃 I'm running late"), cb(verbs.SPEAKER_CHECKIN, session.id, "l")),
        ),
    )
    return Reply(fit(lines), buttons=buttons)


def checked_in(l10n: Localizer, item: SpeakerSession) -> Reply:
    title = shorten(item.session.title, LINE_TITLE_LIMIT)
    if item.checkin == HERE:
        text = l10n._(
            "✅ Thank you! The organizers know you are here for <b>{title}</b>.", title=title
        )
    else:
        text = l10n._(
            "🏃 Thank you, the organizers know you are running late for <b>{title}</b>.",
            title=title,
        )
    buttons = (
        (
            Button(l10n._("✅ I'm here"), cb(verbs.SPEAKER_CHECKIN, item.session.id, "h")),
            Button(l10n._("🏃 I'm running late"), cb(verbs.SPEAKER_CHECKIN, item.session.id, "l")),
        ),
    )
    return Reply(text, buttons=buttons if item.checkin == LATE else ())


def session_change(l10n: Localizer, notice: ChangeNotice) -> Reply:
    change = reminder_screens.schedule_change(l10n, notice)
    header = l10n._("🎤 <b>A change to your session</b>")
    return Reply(f"{header}\n\n{change.text}")


def _session_lines(l10n: Localizer, items: Sequence[SpeakerSession]) -> list[str]:
    if not items:
        return [l10n._("You have no sessions in the programme yet.")]
    lines: list[str] = []
    for item in items:
        s = item.session
        summary = SessionSummary(s.id, s.title, s.kind, s.starts_at, s.ends_at, s.room, s.cancelled)
        lines.append(session_line(l10n, summary, show_day=True))
        lines.append(_audience(l10n, item))
    return lines


def _facts(l10n: Localizer, item: SpeakerSession) -> list[str]:
    session = item.session
    lines = [when_line(l10n, session.starts_at, session.ends_at)]
    if session.room:
        lines.append(room_line(l10n, session.room))
    lines += people_lines(l10n, session)
    lines.append(_audience(l10n, item))
    return lines


def _audience(l10n: Localizer, item: SpeakerSession) -> str:
    saved = l10n.ngettext(
        "      ⭐ {n} attendee saved it", "      ⭐ {n} attendees saved it", item.bookmarks
    )
    if item.seats_taken is None or not item.session.capacity:
        return saved
    seats = l10n._(
        "🪑 {taken}/{capacity} seats taken",
        taken=l10n.number(item.seats_taken),
        capacity=l10n.number(item.session.capacity),
    )
    return l10n._("{saved} · {seats}", saved=Markup(saved), seats=Markup(seats))
