"""Audience questions: the list under a session card, asking, upvoting, hiding, and the
speakers' /questions with "✅ Answered"."""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.questions import FLOW as QUESTION_FLOW
from bot.domain.questions import AskOutcome
from bot.presentation import callbacks as verbs
from bot.presentation import questions as screens
from bot.presentation.callbacks import ORIGIN_SEARCH, Callback, decode
from bot.presentation.menu import Audience, HelpLine
from bot.presentation.organizers import not_allowed
from bot.services.audit import NotAllowed
from bot.services.questions import SpeakerRefusal
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Dialogue, Feature, press
from bot.telegram.replies import send, show
from handlers.fallback import stale_button

log = logging.getLogger(__name__)


# --- attendees -------------------------------------------------------------------------------
async def board_pressed(update: Update, context: BotContext) -> None:
    """`qs:<session>:<page>:<origin>`: the session's questions."""
    data = _numeric(update, 2)
    profile = context.profile
    found = None
    if data is not None and profile is not None:
        found = await context.services.questions.board(
            profile, data.int_arg(0), context.l10n.locale
        )
    if data is None or found is None:
        await stale_button(update, context)
        return
    reply = screens.board(context.l10n, found, data.int_arg(1), data.args[2])
    if not found.open:
        reply = reply.with_notice(screens.closed(context.l10n))
    await show(update, context, reply)


async def ask_pressed(update: Update, context: BotContext) -> None:
    """`qa:<session>:<origin>`: wait for the question's text (closed: a toast, no dialogue)."""
    data = _numeric(update, 1)
    profile = context.profile
    if data is None or profile is None:
        await stale_button(update, context)
        return
    session_id = data.int_arg(0)
    began = await context.services.questions.begin(profile.id, session_id, data.args[1])
    if began is None:
        await stale_button(update, context)
        return
    if not began:
        await _toast(update, screens.closed(context.l10n))
        return
    found = await context.services.schedule.session(session_id, context.l10n.locale)
    title = found.title if found else ""
    await show(update, context, screens.ask_prompt(context.l10n, title))


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """`qx`: the prompt's Cancel."""
    profile = context.profile
    if profile is None or not await context.services.questions.cancel(profile.id):
        await stale_button(update, context)
        return
    await show(update, context, screens.cancelled(context.l10n))


async def continue_conversation(update: Update, context: BotContext) -> bool:
    """Typed text is the awaited question; False if none is awaited. Menu buttons are never
    questions: `search.text` tries them first."""
    message = update.effective_message
    profile = context.profile
    if message is None or message.text is None or profile is None:
        return False
    found = await context.services.questions.answer(profile, message.text, context.l10n.locale)
    if found is None:
        return False
    l10n = context.l10n
    if found.outcome is AskOutcome.TOO_LONG:
        await send(update, context, screens.too_long(l10n, found.length))
    elif found.outcome is AskOutcome.EMPTY:
        await send(update, context, screens.empty(l10n))
    elif found.outcome is AskOutcome.CLOSED or found.board is None:
        await send(update, context, screens.closed_reply(l10n))
    else:
        await send(update, context, screens.asked(l10n, found.board, found.origin or ORIGIN_SEARCH))
    return True


async def vote_pressed(update: Update, context: BotContext) -> None:
    """`qv:<question>:<page>:<origin>`: one upvote; the list is shown again with a toast."""
    data = _numeric(update, 2)
    profile = context.profile
    found = None
    if data is not None and profile is not None:
        found = await context.services.questions.vote(profile, data.int_arg(0), context.l10n.locale)
    if data is None or found is None:
        await stale_button(update, context)
        return
    reply = screens.board(context.l10n, found.board, data.int_arg(1), data.args[2])
    await show(update, context, reply.with_notice(screens.vote_notice(context.l10n, found.outcome)))


async def hide_pressed(update: Update, context: BotContext) -> None:
    """`qh:<question>:<page>:<origin>`: organizers hide a question from every list."""
    data = _numeric(update, 2)
    profile = context.profile
    if data is None or profile is None:
        await stale_button(update, context)
        return
    try:
        found = await context.services.questions.hide(profile, data.int_arg(0), context.l10n.locale)
    except NotAllowed:
        log.warning("user %s (role %s) tried to hide a question", profile.id, profile.role)
        await _toast(update, not_allowed(context.l10n).text)
        return
    if found is None:
        await stale_button(update, context)
        return
    reply = screens.board(context.l10n, found, data.int_arg(1), data.args[2])
    await show(update, context, reply.with_notice(screens.hidden_notice(context.l10n)))


# --- speakers and moderators -----------------------------------------------------------------
async def questions_command(update: Update, context: BotContext) -> None:
    """/questions: the speaker's current or next session, with buttons for the others."""
    await _speaker_board(update, context, None, 0)


async def speaker_pressed(update: Update, context: BotContext) -> None:
    """`qsp:<session>:<page>`: another session, page or a refresh."""
    data = _numeric(update, 2)
    if data is None:
        await stale_button(update, context)
        return
    await _speaker_board(update, context, data.int_arg(0), data.int_arg(1))


async def answered_pressed(update: Update, context: BotContext) -> None:
    """`qan:<question>:<page>`: a speaker or moderator marks a question answered."""
    data = _numeric(update, 2)
    profile = context.profile
    found = None
    if data is not None and profile is not None:
        found = await context.services.questions.mark_answered(
            profile.id, data.int_arg(0), context.l10n.locale
        )
    if data is None or found is None:
        await stale_button(update, context)
        return
    reply = screens.speaker_board(context.l10n, found, data.int_arg(1))
    await show(update, context, reply.with_notice(screens.answered_notice(context.l10n)))


async def _speaker_board(
    update: Update, context: BotContext, session_id: int | None, page: int
) -> None:
    profile = context.profile
    if profile is None:
        return
    found = await context.services.questions.speaker_board(
        profile.id, context.l10n.locale, session_id
    )
    if found is SpeakerRefusal.NOT_SPEAKER:
        await show(update, context, screens.not_a_speaker(context.l10n))
    elif found is SpeakerRefusal.NO_SESSIONS:
        await show(update, context, screens.no_sessions(context.l10n))
    elif isinstance(found, SpeakerRefusal):
        await stale_button(update, context)
    else:
        await show(update, context, screens.speaker_board(context.l10n, found, page))


# --- helpers ---------------------------------------------------------------------------------
def _numeric(update: Update, numbers: int) -> Callback | None:
    """Decoded button data whose first `numbers` arguments really are numbers."""
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not all(a.isdigit() for a in data.args[:numbers]):
        return None
    return data


async def _toast(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)


async def cancel(update: Update, context: BotContext) -> bool:
    """/cancel while a question is awaited; False (nothing done) otherwise."""
    profile = context.profile
    if profile is None or not await context.services.questions.cancel(profile.id):
        return False
    await show(update, context, screens.cancelled(context.l10n))
    return True


FEATURE = Feature(
    "questions",
    commands=(
        Command(
            "questions",
            questions_command,
            lambda l10n: l10n._("Speakers: the audience's questions"),
            Audience.SPEAKER,
        ),
    ),
    presses=(
        press(board_pressed, verbs.QUESTIONS),
        press(ask_pressed, verbs.QUESTION_ASK),
        press(cancel_pressed, verbs.QUESTION_CANCEL),
        press(vote_pressed, verbs.QUESTION_VOTE),
        press(hide_pressed, verbs.QUESTION_HIDE),
        press(speaker_pressed, verbs.QUESTIONS_SPEAKER),
        press(answered_pressed, verbs.QUESTION_ANSWERED),
    ),
    help=(
        HelpLine(
            lambda l10n: l10n._("/questions: the audience's questions for your sessions"),
            Audience.SPEAKER,
        ),
    ),
    dialogue=Dialogue(QUESTION_FLOW, continue_conversation),
)
