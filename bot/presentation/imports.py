"""What an import changed (or, on a dry run, would change), for organizers."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from bot.domain.changes import SessionChange
from bot.domain.programme_plan import ImportSummary
from bot.domain.text import shorten
from bot.i18n import Localizer, isolate
from bot.importers import CSV_COLUMNS
from bot.importers.base import Msg, Problem, ProgrammeFormatError
from bot.importers.csv_format import COLUMN_PROBLEMS, TRANSLATED
from bot.presentation import Button, Reply
from bot.presentation.programme import LINE_TITLE_LIMIT, NAME_LIMIT, fit

LISTED = 15
# A report is one message, whatever the file holds: each section lists at most `LISTED`
# entries, fewer when they would not fit (`SHORTER_LISTS`), then "… and N more"; a value
# quoted from the file in a problem is shortened to `VALUE_LIMIT` characters.
SHORTER_LISTS = (LISTED, 10, 5, 3, 1, 0)
VALUE_LIMIT = 60
log = logging.getLogger(__name__)


def import_report(l10n: Localizer, summary: ImportSummary) -> list[str]:
    """The report's lines: as many entries of each section as fit in one message."""
    for listed in SHORTER_LISTS:
        lines = _report(l10n, summary, listed)
        if _fits(lines):
            break
    return lines


def _fits(lines: list[str]) -> bool:
    return fit(lines) == "\n".join(lines)


def _report(l10n: Localizer, summary: ImportSummary, listed: int) -> list[str]:
    """The report with at most `listed` entries per section: only those are rendered (an
    import may change thousands of sessions)."""
    if summary.applied:
        lines = [l10n._("✅ <b>Programme imported.</b>")]
    else:
        lines = [l10n._("🔍 <b>Dry run: nothing has been changed yet.</b>")]
    lines.append(
        l10n.ngettext("{n} session in the file.", "{n} sessions in the file.", summary.sessions)
    )

    def titled(title: str) -> str:
        return l10n.join([_title(title)])

    def renamed(names: tuple[str, str]) -> str:
        return l10n._("{old} → {new}", old=_title(names[0]), new=_title(names[1]))

    def changed(change: SessionChange) -> str:
        return change_line(l10n, change, summary.room_names)

    def named(names: Mapping[str, str]) -> str:
        return l10n.join([_named(l10n, names)])

    sections: list[tuple[str, Sequence[Any], Callable[[Any], str]]] = [
        (
            l10n.ngettext("➕ {n} added:", "➕ {n} added:", len(summary.added)),
            summary.added,
            titled,
        ),
        (
            l10n.ngettext("➖ {n} removed:", "➖ {n} removed:", len(summary.removed)),
            summary.removed,
            titled,
        ),
        (
            l10n.ngettext("✏️ {n} renamed:", "✏️ {n} renamed:", len(summary.renamed)),
            summary.renamed,
            renamed,
        ),
        (
            l10n.ngettext(
                "🔁 {n} moved in time or room, or cancelled:",
                "🔁 {n} moved in time or room, or cancelled:",
                len(summary.changes),
            ),
            summary.changes,
            changed,
        ),
        (
            l10n.ngettext("🚪 {n} new room:", "🚪 {n} new rooms:", len(summary.new_rooms)),
            summary.new_rooms,
            named,
        ),
        (
            l10n.ngettext("🏷 {n} new track:", "🏷 {n} new tracks:", len(summary.new_tracks)),
            summary.new_tracks,
            named,
        ),
        (
            l10n.ngettext("🎤 {n} new speaker:", "🎤 {n} new speakers:", len(summary.new_speakers)),
            summary.new_speakers,
            named,
        ),
    ]
    for heading, items, render in sections:
        if not items:
            continue
        lines += ["", heading, *(f"• {render(item)}" for item in items[:listed])]
        if len(items) > listed:
            lines.append(l10n.ngettext("… and {n} more", "… and {n} more", len(items) - listed))
    if not any(items for _, items, _ in sections):
        lines += ["", l10n._("Nothing changes: the programme is the same.")]
    return lines


def _named(l10n: Localizer, names: Mapping[str, str]) -> str:
    """A room, track or speaker in the reader's language ("" holds the stored name)."""
    return shorten(names.get(l10n.locale) or names.get("", ""), NAME_LIMIT)


def _title(title: str) -> str:
    return shorten(title, LINE_TITLE_LIMIT)


def change_line(
    l10n: Localizer, change: SessionChange, rooms: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """One moved, cancelled or restored session; rooms by their names in the reader's
    language (`rooms`: key -> names), never by key."""

    def room(key: str | None) -> str:
        return _named(l10n, (rooms or {}).get(key, {"": key})) if key else "-"

    title = _title(change.title)
    if change.after.cancelled and not change.before.cancelled:
        return l10n._("{title}: cancelled", title=title)
    parts = []
    if change.before.starts_at != change.after.starts_at:
        parts.append(
            l10n._(
                "{old_day} {old_time} → {new_day} {new_time}",
                old_day=l10n.day(change.before.starts_at),
                old_time=l10n.time(change.before.starts_at),
                new_day=l10n.day(change.after.starts_at),
                new_time=l10n.time(change.after.starts_at),
            )
        )
    if change.before.room != change.after.room:
        parts.append(
            l10n._("room {old} → {new}", old=room(change.before.room), new=room(change.after.room))
        )
    if change.before.cancelled and not change.after.cancelled:
        parts.append(l10n._("back in the programme"))
    return l10n._("{title}: {what}", title=title, what=Markup(", ".join(parts)))


def dry_run_reply(l10n: Localizer, summary: ImportSummary, apply_data: str) -> Reply:
    buttons = ((Button(l10n._("✅ Apply"), apply_data), Button(l10n._("✖ Cancel"), "noop")),)
    return Reply(fit(import_report(l10n, summary)), buttons=buttons)


def applied_reply(l10n: Localizer, summary: ImportSummary) -> Reply:
    return Reply(fit(import_report(l10n, summary)))


def format_error(l10n: Localizer, error: ProgrammeFormatError) -> Reply:
    """The problems in the organizer's language, as many as fit in one message, then how
    many more there are. Documentation paths are for the CLI: a chat names the template's
    columns instead when the problem is about columns."""
    file = shorten(error.file, NAME_LIMIT)
    problems = [f"• {_problem(l10n, problem)}" for problem in error.problems]
    for listed in range(len(problems), -1, -1):
        lines = _problem_lines(l10n, error, file, problems[:listed])
        if listed == 0 or _fits(_error_text(l10n, lines).split("\n")):
            break
    return Reply(_error_text(l10n, lines))


def _problem_lines(
    l10n: Localizer, error: ProgrammeFormatError, file: str, problems: list[str]
) -> list[str]:
    lines = [l10n.ngettext("{file}: {n} problem", "{file}: {n} problems", error.total, file=file)]
    lines += problems
    if error.total > len(problems):
        more = error.total - len(problems)
        lines.append(l10n.ngettext("… and {n} more problem", "… and {n} more problems", more))
    if any(_about_columns(problem) for problem in error.problems):
        columns = ", ".join(column for column in CSV_COLUMNS if column not in TRANSLATED)
        lines.append(
            l10n._(
                "The template's columns: {columns}, and translations such as title_ar or room_ms.",
                columns=columns,
            )
        )
    return lines


def _error_text(l10n: Localizer, lines: list[str]) -> str:
    return l10n._(
        "⚠️ <b>This file cannot be imported.</b> Nothing was changed.\n{report}",
        report=Markup("\n".join(lines)),
    )


def _problem(l10n: Localizer, problem: Problem) -> str:
    message = _message(l10n, problem.message)
    if not str(problem.location):
        return message
    return f"{_message(l10n, problem.location)}: {message}"


def _about_columns(problem: Problem) -> bool:
    return isinstance(problem.message, Msg) and problem.message.template in COLUMN_PROBLEMS


def _message(l10n: Localizer, text: str | Msg) -> str:
    """A translated message (escaped: templates name XML elements such as <day>), values
    escaped and isolated; a bare string is data from the file (a path in it) and is isolated."""
    if not isinstance(text, Msg):
        return isolate(html.escape(shorten(text, VALUE_LIMIT), quote=False))
    values = {
        key: _message(l10n, value)
        if isinstance(value, Msg)
        else isolate(html.escape(shorten(str(value), VALUE_LIMIT), quote=False))
        for key, value in text.params
    }
    translated = html.escape(l10n._(text.template), quote=False)
    try:
        return translated.format_map(values)
    except (KeyError, IndexError, ValueError):
        log.error("translation of %r in %s has broken placeholders", text.template, l10n.locale)
        return html.escape(text.template, quote=False).format_map(values)


def nothing_pending(l10n: Localizer) -> str:
    return l10n._("There is no import waiting to be applied. Send the file again.")
