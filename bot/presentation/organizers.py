"""What organizers see at the badge desk."""

from __future__ import annotations

from collections.abc import Sequence

from babel import Locale
from markupsafe import Markup

from bot.domain.organizer_views import USER_SUBJECTS, AuditRow, CheckIn, Figures
from bot.domain.roles import RoleChange
from bot.domain.text import shorten
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import feedback as feedback_screens
from bot.presentation.attendee import profession_name
from bot.presentation.programme import LINE_TITLE_LIMIT, NAME_LIMIT, fit

QUESTION_CHARS = 80  # ten questions of this length keep /stats well under 4,096
LISTED_SEATS = 10  # workshops listed with their seats, then "… and N more"


def checkin_usage(l10n: Localizer) -> Reply:
    return Reply(l10n._("Send the code from the attendee's badge: /checkin CODE"))


def checkin_result(l10n: Localizer, result: CheckIn) -> Reply:
    if not result.found:
        return Reply(l10n._("❓ No registration has this code. Check the letters and try again."))
    role = profession_name(l10n, result.profession)
    if result.first_at is not None:
        text = l10n._(
            "⚠️ <b>{name}</b> ({role}) was already checked in on {day} at {time}.",
            name=result.full_name,
            role=role,
            day=l10n.day(result.first_at),
            time=l10n.time(result.first_at),
        )
    else:
        text = l10n._("✅ <b>{name}</b> ({role}) is checked in.", name=result.full_name, role=role)
    return Reply(text)


def someone_elses_badge(l10n: Localizer) -> Reply:
    """A badge scanned by someone who is neither its owner nor an organizer: nothing about
    the attendee, only what the code is for."""
    return Reply(
        l10n._(
            "🎫 This is a symposium badge. The organizers scan it at the registration desk "
            "to check its owner in. To get your own badge, send /register."
        )
    )


def not_allowed(l10n: Localizer) -> Reply:
    return Reply(l10n._("Sorry, only organizers can do that."))


def admins_only(l10n: Localizer) -> Reply:
    return Reply(l10n._("Sorry, only admins can do that."))


def role_usage(l10n: Localizer, command: str) -> Reply:
    return Reply(
        l10n._(
            "Send {command} with a Telegram user id, or reply with {command} to a message "
            "forwarded from that person.",
            command=command,
        )
    )


def hidden_sender(l10n: Localizer) -> Reply:
    return Reply(
        l10n._(
            "That person's privacy settings hide who they are in forwarded messages. "
            "Ask them for their Telegram user id instead."
        )
    )


def role_changed(l10n: Localizer, change: RoleChange) -> Reply:
    name = change.display_name or str(change.user_id)
    if change.after == change.before == "admin":
        return Reply(l10n._("{name} is an admin; admins keep their role.", name=name))
    if not change.changed:
        return Reply(l10n._("Nothing to change: {name} already has that role.", name=name))
    if change.after == "organizer":
        text = l10n._("✅ {name} is now an organizer.", name=name)
        if change.never_wrote:  # a mistyped id, or someone who has not opened the bot
            text += "\n" + l10n._(
                "⚠️ This id has not used the bot yet. Check that it is right: the role "
                "takes effect when this person first writes to the bot."
            )
        return Reply(text)
    return Reply(l10n._("✅ {name} is no longer an organizer.", name=name))


def audit_log(l10n: Localizer, lines: Sequence[AuditRow]) -> Reply:
    """The newest entries: who did what to whom, by name, in the admin's language."""
    if not lines:
        return Reply(l10n._("The audit log is empty."))
    rows = [l10n._("<b>Audit log</b> (newest first)")]
    for line in lines:
        values = {
            "day": l10n.day(line.at),
            "time": l10n.time(line.at),
            "actor": _audit_actor(l10n, line),
            "action": audit_action(l10n, line.action),
            "outcome": audit_outcome(l10n, line.outcome),
        }
        subject = _audit_subject(l10n, line)
        if subject:
            rows.append(
                l10n._(
                    "{day} {time} · {actor} · {action}: {subject} · {outcome}",
                    subject=subject,
                    **values,
                )
            )
        else:
            rows.append(l10n._("{day} {time} · {actor} · {action} · {outcome}", **values))
    return Reply(fit(rows))


def audit_action(l10n: Localizer, action: str) -> str:
    """An action's name; one this screen does not know yet reads as words."""
    names = {
        "checkin": l10n._("Check-in"),
        "stats": l10n._("Figures viewed"),
        "audit": l10n._("Audit log viewed"),
        "promote": l10n._("Made an organizer"),
        "demote": l10n._("Organizer role removed"),
        "admin_revoked": l10n._("Admin role removed (not in BOT_ADMINS)"),
        "speaker_invite": l10n._("Speaker invite"),
        "speaker_revoke": l10n._("Speaker links revoked"),
        "speaker_link": l10n._("Speaker link opened"),
        "question_hide": l10n._("Question hidden"),
        "broadcast": l10n._("Broadcast sent"),
        "broadcasts": l10n._("Broadcasts viewed"),
        "broadcast_cancel": l10n._("Broadcast cancelled"),
        "import-preview": l10n._("Programme file checked"),
        "import": l10n._("Programme imported"),
    }
    return names.get(action) or _words(action)


def audit_outcome(l10n: Localizer, outcome: str) -> str:
    names = {
        "ok": l10n._("succeeded"),
        "refused": l10n._("refused (not allowed)"),
        "not_found": l10n._("no such code"),
        "repeat": l10n._("already done before"),
    }
    return names.get(outcome) or _words(outcome)


def _audit_actor(l10n: Localizer, line: AuditRow) -> str:
    if line.actor_id is None:
        return l10n._("the bot")
    return shorten(line.actor_name, NAME_LIMIT) or l10n._("user {id}", id=str(line.actor_id))


def _audit_subject(l10n: Localizer, line: AuditRow) -> str:
    """Whom or what the action was about: a name where one is known."""
    if line.subject_name:
        return shorten(line.subject_name, NAME_LIMIT)
    if line.action in USER_SUBJECTS and line.subject.lstrip("-").isdigit():
        return l10n._("user {id}", id=line.subject)
    kind, _, number = line.subject.partition(":")
    if number.isdigit() and kind == "question":
        return l10n._("question #{number}", number=number)
    if number.isdigit() and kind == "broadcast":
        return l10n._("broadcast #{number}", number=number)
    # a code typed, a file name, a key no longer in the programme
    return shorten(line.subject, NAME_LIMIT)


def _words(token: str) -> str:
    """`programme_export` reads "programme export": a token newer than the labels."""
    return token.replace("_", " ").replace("-", " ")


def stats_report(l10n: Localizer, figures: Figures) -> Reply:
    """The organizers' dashboard in one message."""
    territories = Locale.parse(l10n.locale).territories
    lines = [
        l10n._("📊 <b>Symposium figures</b>"),
        "",
        l10n.ngettext("🎫 {n} registration", "🎫 {n} registrations", figures.registrations),
        l10n.ngettext(
            "✅ {n} checked in at the desk", "✅ {n} checked in at the desk", figures.checked_in
        ),
    ]
    if figures.by_role:
        roles = [_count(l10n, profession_name(l10n, role), n) for role, n in figures.by_role]
        lines.append(l10n._("By role: {list}", list=Markup(l10n.join_rendered(roles))))
    if figures.by_country:
        countries = [_count(l10n, territories.get(code, code), n) for code, n in figures.by_country]
        lines.append(l10n._("By country: {list}", list=Markup(l10n.join_rendered(countries))))
    if figures.by_language:
        languages = [_count(l10n, l10n.language_name(code), n) for code, n in figures.by_language]
        lines.append(l10n._("By language: {list}", list=Markup(l10n.join_rendered(languages))))
    lines += [
        "",
        l10n.ngettext("👥 {n} user", "👥 {n} users", figures.users),
        l10n.ngettext(
            "🟢 {n} active in the last 24 hours",
            "🟢 {n} active in the last 24 hours",
            figures.active_today,
        ),
    ]
    if figures.top_sessions:
        lines += ["", l10n._("⭐ <b>Most bookmarked</b>")]
        lines += [
            _count(l10n, shorten(title, LINE_TITLE_LIMIT), n) for title, n in figures.top_sessions
        ]
    if figures.seats:
        lines += ["", l10n._("🪑 <b>Workshop seats</b>")]
        lines += [
            l10n._(
                "{title}: {taken}/{capacity}",
                title=shorten(title, LINE_TITLE_LIMIT),
                taken=l10n.number(taken),
                capacity=l10n.number(capacity),
            )
            for title, taken, capacity in figures.seats[:LISTED_SEATS]
        ]
        if len(figures.seats) > LISTED_SEATS:
            more = len(figures.seats) - LISTED_SEATS
            lines.append(l10n.ngettext("… and {n} more", "… and {n} more", more))
    if figures.delivery:
        states = [_delivered(l10n, state, n) for state, n in _in_order(figures.delivery)]
        lines += [
            "",
            l10n._("📬 Messages from the bot: {list}", list=Markup(l10n.join_rendered(states))),
        ]
    lines += _unanswered_lines(l10n, figures.unanswered)
    lines += feedback_screens.stats_lines(l10n, figures.feedback)  # last: trimmed to fit
    return Reply(fit(lines))


def _unanswered_lines(l10n: Localizer, questions: Sequence[tuple[str, int]]) -> list[str]:
    """What attendees asked and the bot could not answer, most frequent first."""
    lines = ["", l10n._("❓ <b>Questions I could not answer</b>")]
    if not questions:
        return [*lines, l10n._("No unanswered questions so far.")]
    return lines + [
        l10n.ngettext(
            "Asked {n} time: {question}",
            "Asked {n} times: {question}",
            n,
            question=shorten(text, QUESTION_CHARS),
        )
        for text, n in questions
    ]


def _count(l10n: Localizer, name: str, n: int) -> str:
    return l10n._("{title}: {count}", title=name, count=l10n.number(n))


# Outbox states in the order a message goes through them (bot/services/outbox.py).
DELIVERY_ORDER = ("sent", "sending", "pending", "failed", "skipped", "cancelled")


def _in_order(delivery: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    rank = {state: i for i, state in enumerate(DELIVERY_ORDER)}
    return sorted(delivery, key=lambda row: (rank.get(row[0], len(rank)), row[0]))


def _delivered(l10n: Localizer, state: str, n: int) -> str:
    """A count of outbox messages in one state, as a phrase: "15 waiting to be sent"."""
    if state == "sent":
        return l10n.ngettext("{n} sent", "{n} sent", n)
    if state == "sending":
        return l10n.ngettext("{n} being sent", "{n} being sent", n)
    if state == "pending":
        return l10n.ngettext("{n} waiting to be sent", "{n} waiting to be sent", n)
    if state == "failed":
        return l10n.ngettext("{n} failed", "{n} failed", n)
    if state == "skipped":
        return l10n.ngettext("{n} skipped", "{n} skipped", n)
    if state == "cancelled":
        return l10n.ngettext("{n} cancelled", "{n} cancelled", n)
    return _count(l10n, state.replace("_", " "), n)  # a state newer than this screen
