"""What feedback looks like: the rating prompt and the answer so far, the comment dialogue,
the speaker's summary and the organizers' feedback figures."""

from __future__ import annotations

from babel.numbers import format_decimal
from markupsafe import Markup

from bot.domain.feedback import (
    COMMENT_LIMIT,
    RATINGS,
    EmptyComment,
    FeedbackCard,
    FeedbackFigures,
    FeedbackSummary,
    TooLong,
)
from bot.domain.text import shorten
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb
from bot.presentation.programme import LINE_TITLE_LIMIT, MESSAGE_LIMIT, fit, when_line

# Room for the right-to-left marks the localizer adds per line, and for emoji counted as two
# UTF-16 units by Telegram: the summary is built against this, not the full 4096.
SUMMARY_BUDGET = MESSAGE_LIMIT - 400


def stars(rating: int) -> Markup:
    return Markup("⭐" * rating)


def average_text(l10n: Localizer, average: float) -> str:
    """One decimal, in the reader's number format (Babel)."""
    return str(format_decimal(round(average, 1), format="0.0", locale=l10n.locale))


def rating_buttons(session_id: int, chosen: int | None) -> tuple[Button, ...]:
    """1 to 5, the chosen one marked; labels are numbers and stars, the same everywhere."""
    return tuple(
        Button(f"✅ {r}⭐" if r == chosen else f"{r}⭐", cb(verbs.FEEDBACK_RATE, session_id, r))
        for r in RATINGS
    )


def card(l10n: Localizer, found: FeedbackCard) -> Reply:
    """The prompt, or the answer so far with buttons to change it."""
    session = found.session
    lines = [
        l10n._("⭐ How was <b>{title}</b>?", title=shorten(session.title, LINE_TITLE_LIMIT)),
        when_line(l10n, session.starts_at, session.ends_at),
        "",
    ]
    if found.rating is None:
        lines.append(l10n._("Rate it from 1 (poor) to 5 (excellent)."))
    else:
        lines.append(
            l10n._(
                "✅ Your rating: {stars} ({rating} of 5)",
                stars=stars(found.rating),
                rating=l10n.number(found.rating),
            )
        )
    if found.comment:
        lines.append(l10n._("💬 Your comment: {comment}", comment=found.comment))
    lines += [
        "",
        l10n._(
            "Your answer is anonymous; you can change it until {time}.",
            time=l10n.time(found.closes_at),
        ),
    ]
    rows: list[tuple[Button, ...]] = [rating_buttons(session.id, found.rating)]
    if found.rating is not None:
        label = l10n._("💬 Change my comment") if found.comment else l10n._("💬 Add a comment")
        rows.append((Button(label, cb(verbs.FEEDBACK_COMMENT, session.id)),))
    return Reply(fit(lines), buttons=tuple(rows))


def rated(l10n: Localizer, found: FeedbackCard) -> Reply:
    return card(l10n, found).with_notice(l10n._("Thank you! Your rating is saved."))


def closed(l10n: Localizer) -> Reply:
    text = l10n._("⌛ Feedback for this session is closed.")
    return Reply(text, notice=text)


def comment_question(l10n: Localizer, found: FeedbackCard) -> Reply:
    return Reply(
        l10n.ngettext(
            "💬 Type your comment on <b>{title}</b> (at most {n} character). "
            "Send /cancel to keep only your rating.",
            "💬 Type your comment on <b>{title}</b> (at most {n} characters). "
            "Send /cancel to keep only your rating.",
            COMMENT_LIMIT,
            title=shorten(found.session.title, LINE_TITLE_LIMIT),
        )
    )


def comment_problem(l10n: Localizer, problem: TooLong | EmptyComment) -> Reply:
    if isinstance(problem, TooLong):
        return Reply(
            l10n.ngettext(
                "✂️ That is too long: a comment can have at most {n} character. "
                "Please shorten it and send it again.",
                "✂️ That is too long: a comment can have at most {n} characters. "
                "Please shorten it and send it again.",
                problem.limit,
            )
        )
    return Reply(l10n._("💬 Please type your comment as text, or send /cancel."))


def comment_saved(l10n: Localizer, found: FeedbackCard) -> Reply:
    thanks = l10n._("💬 Thank you! Your comment is saved.")
    shown = card(l10n, found)
    return Reply(f"{thanks}\n\n{shown.text}", buttons=shown.buttons)


def comment_cancelled(l10n: Localizer) -> Reply:
    return Reply(l10n._("Your comment was not added. Your rating is kept."))


def summary(l10n: Localizer, found: FeedbackSummary) -> Reply:
    """For a speaker or moderator once the window has closed: never who said what."""
    session = found.session
    lines = [
        l10n._("📝 Feedback on <b>{title}</b>", title=shorten(session.title, LINE_TITLE_LIMIT)),
        when_line(l10n, session.starts_at, session.ends_at),
        "",
    ]
    if found.count == 0 or found.average is None:
        lines.append(l10n._("Nobody rated this session while feedback was open."))
        return Reply(fit(lines))
    lines += [
        l10n.ngettext("👥 {n} attendee rated it.", "👥 {n} attendees rated it.", found.count),
        l10n._("⭐ Average: {average} out of 5", average=average_text(l10n, found.average)),
        "",
    ]
    lines += [
        l10n._("{stars}: {count}", stars=stars(rating), count=l10n.number(n))
        for rating, n in found.distribution
    ]
    if found.comments:
        lines += ["", l10n._("💬 <b>Comments</b>")]
        lines += _comments(l10n, found.comments, _size(lines))
    return Reply(fit(lines))


def _comments(l10n: Localizer, comments: tuple[str, ...], used: int) -> list[str]:
    """As many whole comments as fit, then "and N more"."""
    shown: list[str] = []
    for index, comment in enumerate(comments):
        line = l10n._("• {comment}", comment=comment)
        rest = len(comments) - index - 1
        more = _more(l10n, rest) if rest else ""
        if used + _size([line, more]) > SUMMARY_BUDGET:
            return [*shown, _more(l10n, len(comments) - index)]
        shown.append(line)
        used += _size([line])
    return shown


def _more(l10n: Localizer, n: int) -> str:
    return l10n.ngettext("… and {n} more comment", "… and {n} more comments", n)


def _size(lines: list[str]) -> int:
    """Generous: UTF-16 units of the markup (tags and entities count too) plus a mark and
    a line break per line."""
    return sum(len(line.encode("utf-16-le")) // 2 + 2 for line in lines)


def stats_lines(l10n: Localizer, figures: FeedbackFigures) -> list[str]:
    """The /stats section: all ratings, then each rated session, best first."""
    lines = [
        "",
        l10n._("📝 <b>Feedback</b>"),
        l10n.ngettext("{n} rating in all", "{n} ratings in all", figures.ratings),
    ]
    lines += [
        l10n.ngettext(
            "{title}: {average} ({n} rating)",
            "{title}: {average} ({n} ratings)",
            s.count,
            title=shorten(s.title, LINE_TITLE_LIMIT),
            average=average_text(l10n, s.average),
        )
        for s in figures.sessions
    ]
    return lines
