"""What organizers see at the badge desk."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Localizer
from bot.presentation import Reply
from bot.presentation.attendee import profession_name
from bot.services.checkin import CheckIn
from bot.services.roles import AuditLine, RoleChange


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
