"""Audience questions: the attendees' list with upvotes, the asking dialogue, and the
speakers' ranked list (on demand and at the start of their session)."""

from __future__ import annotations

from markupsafe import Markup

from bot.domain.paging import paginate
from bot.domain.questions import (
    QUESTION_LIMIT,
    QUESTIONS_PER_PAGE,
    QuestionBoard,
    QuestionItem,
    VoteOutcome,
)
from bot.domain.text import shorten
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb
from bot.presentation.programme import (
    BUTTON_TITLE_LIMIT,
    LINE_TITLE_LIMIT,
    fit,
    nav_row,
    page_counter,
    plain,
)


# --- attendees -------------------------------------------------------------------------------
def board(l10n: Localizer, found: QuestionBoard, page_number: int, origin: str) -> Reply:
    """The session's questions, most wanted first; 👍 under each open one, 🙈 for organizers."""
    session = found.session
    page = paginate(found.questions, page_number, QUESTIONS_PER_PAGE)
    lines = [
        l10n._("❓ <b>Questions for {title}</b>", title=shorten(session.title, LINE_TITLE_LIMIT))
    ]
    if found.open:
        lines.append(l10n._("Press 👍 to upvote the questions you want answered most."))
    else:
        lines.append(closed(l10n))
    lines.append("")
    if not found.questions:
        lines.append(
            l10n._("No questions yet. Be the first to ask!")
            if found.open
            else l10n._("No questions were asked.")
        )
    start = page.number * QUESTIONS_PER_PAGE
    rows: list[tuple[Button, ...]] = []
    for number, item in enumerate(page.items, start + 1):
        lines += _question_lines(l10n, item, number, attendee=True)
        row: list[Button] = []
        if found.open and not item.answered:
            label = (
                l10n._("✔️ Upvoted {number}", number=l10n.number(number))
                if item.voted
                else l10n._("👍 Upvote {number}", number=l10n.number(number))
            )
            row.append(Button(plain(label), cb(verbs.QUESTION_VOTE, item.id, page.number, origin)))
        if found.can_hide:
            label = l10n._("🙈 Hide {number}", number=l10n.number(number))
            row.append(Button(plain(label), cb(verbs.QUESTION_HIDE, item.id, page.number, origin)))
        if row:
            rows.append(tuple(row))
    if page.count > 1:
        lines += ["", page_counter(l10n, page)]
    rows.append(nav_row(l10n, page, lambda p: cb(verbs.QUESTIONS, session.id, p, origin)))
    if found.open:
        rows.append(
            (Button(l10n._("✍️ Ask a question"), cb(verbs.QUESTION_ASK, session.id, origin)),)
        )
    rows.append(
        (
            Button(l10n._("🔄 Refresh"), cb(verbs.QUESTIONS, session.id, page.number, origin)),
            Button(l10n._("« Back"), cb(verbs.SESSION, session.id, origin)),
        )
    )
    return Reply(fit(lines), buttons=tuple(r for r in rows if r))


def ask_prompt(l10n: Localizer, title: str) -> Reply:
    text = l10n.ngettext(
        "✍️ Type your question for <b>{title}</b> in one message, at most {n} character.",
        "✍️ Type your question for <b>{title}</b> in one message, at most {n} characters.",
        QUESTION_LIMIT,
        title=shorten(title, LINE_TITLE_LIMIT),
    )
    hint = l10n._("The speakers will see it, and other attendees can upvote it.")
    return Reply(
        f"{text}\n{hint}", buttons=((Button(l10n._("✖️ Cancel"), cb(verbs.QUESTION_CANCEL)),),)
    )


def too_long(l10n: Localizer, length: int) -> Reply:
    text = l10n.ngettext(
        "✂️ A question can be at most {n} character long, and yours has {length}. "
        "Please shorten it and send it again.",
        "✂️ A question can be at most {n} characters long, and yours has {length}. "
        "Please shorten it and send it again.",
        QUESTION_LIMIT,
        length=l10n.number(length),
    )
    return Reply(text, buttons=((Button(l10n._("✖️ Cancel"), cb(verbs.QUESTION_CANCEL)),),))


def empty(l10n: Localizer) -> Reply:
    return Reply(
        l10n._("✍️ Please type your question as text."),
        buttons=((Button(l10n._("✖️ Cancel"), cb(verbs.QUESTION_CANCEL)),),),
    )


def asked(l10n: Localizer, found: QuestionBoard, origin: str) -> Reply:
    listed = board(l10n, found, 0, origin)
    thanks = l10n._("✅ Thank you! Your question has been added.")
    return Reply(f"{thanks}\n\n{listed.text}", buttons=listed.buttons)


def cancelled(l10n: Localizer) -> Reply:
    return Reply(l10n._("✖️ Cancelled. Your question was not sent."))


def closed_reply(l10n: Localizer) -> Reply:
    return Reply(closed(l10n))


def closed(l10n: Localizer) -> str:
    return l10n._("🔒 Questions for this session are closed.")


def vote_notice(l10n: Localizer, outcome: VoteOutcome) -> str:
    texts = {
        VoteOutcome.VOTED: l10n._("👍 Thank you for your vote."),
        VoteOutcome.ALREADY: l10n._("You have already upvoted this question."),
        VoteOutcome.OWN: l10n._("You cannot upvote your own question."),
        VoteOutcome.CLOSED: closed(l10n),
    }
    return texts[outcome]


def hidden_notice(l10n: Localizer) -> str:
    return l10n._("🙈 The question is hidden from every list.")


# --- speakers and moderators -----------------------------------------------------------------
def not_a_speaker(l10n: Localizer) -> Reply:
    return Reply(
        l10n._(
            "❓ This lists the audience's questions for speakers. To ask a question yourself, "
            "open a session in the /programme and press “❓ Questions”."
        )
    )


def no_sessions(l10n: Localizer) -> Reply:
    return Reply(l10n._("🎤 You have no sessions running or coming up."))


def speaker_board(
    l10n: Localizer, found: QuestionBoard, page_number: int, *, at_start: bool = False
) -> Reply:
    """Ranked questions with "✅ Answered" buttons; answered ones below, marked ✅."""
    session = found.session
    page = paginate(found.questions, page_number, QUESTIONS_PER_PAGE)
    if at_start:
        headline = l10n.ngettext(
            "🎤 <b>{title}</b> is starting. The audience asked {n} question, most wanted first:",
            "🎤 <b>{title}</b> is starting. The audience asked {n} questions, most wanted first:",
            len(found.questions),
            title=shorten(session.title, LINE_TITLE_LIMIT),
        )
    else:
        headline = l10n._(
            "🎤 Questions for <b>{title}</b>, most wanted first:", title=session.title
        )
    lines = [headline, ""]
    if not found.questions:
        lines.append(l10n._("No questions yet."))
    start = page.number * QUESTIONS_PER_PAGE
    rows: list[tuple[Button, ...]] = []
    for number, item in enumerate(page.items, start + 1):
        lines += _question_lines(l10n, item, number, attendee=False)
        if not item.answered:
            label = l10n._("✅ Answered {number}", number=l10n.number(number))
            rows.append((Button(plain(label), cb(verbs.QUESTION_ANSWERED, item.id, page.number)),))
    if page.count > 1:
        lines += ["", page_counter(l10n, page)]
    rows.append(nav_row(l10n, page, lambda p: cb(verbs.QUESTIONS_SPEAKER, session.id, p)))
    rows.append(
        (Button(l10n._("🔄 Refresh"), cb(verbs.QUESTIONS_SPEAKER, session.id, page.number)),)
    )
    for other in found.others:
        label = l10n._(
            "{start} {title}",
            start=f"{l10n.day(other.starts_at)} {l10n.time(other.starts_at)}",
            title=shorten(other.title, BUTTON_TITLE_LIMIT),
        )
        rows.append((Button("🎤 " + plain(label), cb(verbs.QUESTIONS_SPEAKER, other.id, 0)),))
    return Reply(fit(lines), buttons=tuple(r for r in rows if r))


def answered_notice(l10n: Localizer) -> str:
    return l10n._("✅ Marked as answered.")


def _question_lines(
    l10n: Localizer, item: QuestionItem, number: int, *, attendee: bool
) -> list[str]:
    """The question, then its votes (and "yours" for the one who asked it)."""
    if item.answered:
        first = l10n._("✅ <b>{number}.</b> {text}", number=l10n.number(number), text=item.text)
    else:
        first = l10n._("<b>{number}.</b> {text}", number=l10n.number(number), text=item.text)
    votes = l10n.ngettext("      👍 {n} vote", "      👍 {n} votes", item.votes)
    if attendee and item.mine:
        mark = l10n._("✍️ your question")
        votes = l10n._("{votes} · {mark}", votes=Markup(votes), mark=Markup(mark))
    return [first, votes]
