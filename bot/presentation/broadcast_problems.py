"""Why the broadcast dialogue refused an answer, in the organizer's language."""

from __future__ import annotations

from bot.domain.broadcast_views import Prompt
from bot.domain.broadcasts import Problem
from bot.i18n import Localizer


def problem_text(l10n: Localizer, found: Prompt) -> str:
    problem, n = found.problem, found.limit
    if problem is Problem.TOO_LONG:
        return l10n.ngettext(
            "⚠️ That is too long: Telegram allows at most {n} character here.",
            "⚠️ That is too long: Telegram allows at most {n} characters here.",
            n,
        )
    if problem is Problem.VERSIONS_TOO_LONG:
        return l10n.ngettext(
            "⚠️ With a photo or document, every version is a caption of at most {n} "
            "character. Please shorten the other languages' versions first.",
            "⚠️ With a photo or document, every version is a caption of at most {n} "
            "characters. Please shorten the other languages' versions first.",
            n,
        )
    if problem is Problem.NO_MATCH:
        return l10n._("No session matches “{query}”. Try other words.", query=found.query)
    texts = {
        Problem.EMPTY: l10n._("⚠️ The message is empty. Please send some text."),
        Problem.FORMATTING: l10n._(
            "⚠️ Telegram cannot show some of that formatting. Please keep to bold, italic, "
            "underline, strikethrough, spoilers, code, quotes and links."
        ),
        Problem.LINK: l10n._("⚠️ Links must start with http://, https://, tg:// or mailto:."),
        Problem.TIME_FORMAT: l10n._(
            "⚠️ I could not read that time. Please type it like 14:30 or 2026-03-15 09:00."
        ),
        Problem.TIME_PAST: l10n._(
            "⚠️ That time has already passed. Please type a time in the future."
        ),
        Problem.NOBODY: l10n._(
            "⚠️ Nobody is in this audience at the moment. Please choose another audience."
        ),
        Problem.USE_BUTTONS: l10n._("Please use the buttons below."),
        Problem.UNSUPPORTED: l10n._("⚠️ Please send text, a photo or a document."),
        Problem.TEXT_ONLY: l10n._(
            "⚠️ Versions are text only: the photo or document of the first message goes "
            "with every version."
        ),
    }
    return texts.get(problem, "") if problem is not None else ""
