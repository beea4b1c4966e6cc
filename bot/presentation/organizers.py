"""What organizers see at the badge desk."""

from __future__ import annotations

from collections.abc import Sequence

from babel import Locale
from markupsafe import Markup

from bot.domain.text import shorten
from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation import feedback as feedback_screens
from bot.presentation.attendee import profession_name
from bot.presentation.programme import fit
from bot.services.checkin import CheckIn
from bot.services.roles import AuditLine, RoleChange
from bot.services.stats import Figures

QUESTION_CHARS = 80  # ten questions of this length keep /stats well under 4,096


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
        return Reply(l10n._("✅ {name} is now an organizer.", name=name))
    return Reply(l10n._("✅ {name} is no longer an organizer.", name=name))


def audit_log(l10n: Localizer, lines: Sequence[AuditLine]) -> Reply:
    if not lines:
        return Reply(l10n._("The audit log is empty."))
    rows = [l10n._("<b>Audit log</b> (newest first)")]
    for line in lines:
        rows.append(
            l10n._(
                "{day} {time} · {actor} · {action} {subject} · {outcome}",
                day=l10n.day(line.at),
                time=l10n.time(line.at),
                actor=str(line.actor_id or "-"),
                action=line.action,
                subject=line.subject,
                outcome=line.outcome,
            )
        )
    return Reply("\n".join(rows))


def stats_report(l10n: Localizer, figures: Figures) -> Reply:
    """The organizers' dashboard in one message."""
    territories = Locale.parse(l10n.locale).territories
    lines = [
        l10n._("📊 <b>Symposium figures</b>"),
        "",
        l10n.ngettext("🎫 {n} registration", "🎫 {n} registrations", figures.registrations),
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
        lines += [_count(l10n, title, n) for title, n in figures.top_sessions]
    if figures.seats:
        lines += ["", l10n._("🪑 <b>Workshop seats</b>")]
        lines += [
            l10n._(
                "{title}: {taken}/{capacity}",
                title=title,
                taken=l10n.number(taken),
                capacity=l10n.number(capacity),
            )
            for title, taken, capacity in figures.seats
        ]
    if figures.delivery:
        states = [_count(l10n, _state(l10n, state), n) for state, n in figures.delivery]
        lines += ["", l10n._("📬 Delivery: {list}", list=Markup(l10n.join_rendered(states)))]
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


def _state(l10n: Localizer, state: str) -> str:
    names = {
        "pending": l10n._("pending"),
        "sending": l10n._("sending"),
        "sent": l10n._("sent"),
        "failed": l10n._("failed"),
        "skipped": l10n._("skipped"),
        "cancelled": l10n._("cancelled"),
    }
    return names.get(state, state)
