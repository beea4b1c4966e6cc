"""Session feedback: the rating buttons, "Add a comment", the comment typed after it, and
/cancel while a comment is awaited."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.domain.feedback import FLOW as FEEDBACK_FLOW
from bot.domain.feedback import EmptyComment, FeedbackCard, Refused, TooLong
from bot.i18n import Localizer
from bot.presentation import Reply, menu
from bot.presentation import callbacks as verbs
from bot.presentation import feedback as screens
from bot.presentation.callbacks import Callback, decode
from bot.telegram.context import BotContext
from bot.telegram.features import Dialogue, Feature, press
from bot.telegram.replies import send, show
from handlers.fallback import stale_button


async def opened(update: Update, context: BotContext) -> None:
    """`fbo:<session>`: "⭐ Rate this session" on a session card."""
    data = _callback(update)
    if data is None or context.profile is None:
        await stale_button(update, context)
        return
    found = await context.services.feedback.open(
        context.profile.id, data.int_arg(0), context.l10n.locale
    )
    await _show_card(update, context, found, screens.card)


async def rated(update: Update, context: BotContext) -> None:
    """`fb:<session>:<rating>`: record or change the rating, then show it."""
    data = _callback(update)
    if data is None or context.profile is None or not data.args[1].isdigit():
        await stale_button(update, context)
        return
    found = await context.services.feedback.rate(
        context.profile.id, data.int_arg(0), data.int_arg(1), context.l10n.locale
    )
    await _show_card(update, context, found, screens.rated)


async def comment_pressed(update: Update, context: BotContext) -> None:
    """`fbc:<session>`: the next text typed is the comment."""
    data = _callback(update)
    if data is None or context.profile is None:
        await stale_button(update, context)
        return
    found = await context.services.feedback.begin_comment(
        context.profile.id, data.int_arg(0), context.l10n.locale
    )
    if isinstance(found, Refused):
        await _refused(update, context, found)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send(update, context, screens.comment_question(context.l10n, found))


async def continue_conversation(update: Update, context: BotContext) -> bool:
    """Typed text while a comment is awaited; False if none is. Menu buttons come first."""
    message = update.effective_message
    if message is None or message.text is None or context.profile is None:
        return False
    outcome = await context.services.feedback.comment(
        context.profile.id, message.text, context.l10n.locale
    )
    if outcome is None:
        return False
    if isinstance(outcome, TooLong | EmptyComment):
        await send(update, context, screens.comment_problem(context.l10n, outcome))
    elif isinstance(outcome, Refused):
        reply = screens.closed(context.l10n) if outcome.reason == "closed" else None
        await send(update, context, reply or _stale(context))
    else:
        await send(update, context, screens.comment_saved(context.l10n, outcome))
    return True


async def cancel(update: Update, context: BotContext) -> bool:
    """/cancel while a comment is awaited: forget it (the rating stays); False if none was."""
    if context.profile is None:
        return False
    if not await context.services.feedback.cancel_comment(context.profile.id):
        return False
    await send(update, context, screens.comment_cancelled(context.l10n))
    return True


# --- helpers ---------------------------------------------------------------------------------
async def _show_card(
    update: Update,
    context: BotContext,
    found: FeedbackCard | Refused,
    render: Callable[[Localizer, FeedbackCard], Reply],
) -> None:
    if isinstance(found, Refused):
        await _refused(update, context, found)
        return
    await show(update, context, render(context.l10n, found))


async def _refused(update: Update, context: BotContext, refused: Refused) -> None:
    if refused.reason == "closed":
        await show(update, context, screens.closed(context.l10n))
    else:
        await stale_button(update, context)


def _stale(context: BotContext) -> Reply:
    return Reply(menu.stale_button(context.l10n))


def _callback(update: Update) -> Callback | None:
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not data.args[0].isdigit():
        return None
    return data


FEATURE = Feature(
    "feedback",
    presses=(
        press(rated, verbs.FEEDBACK_RATE),
        press(opened, verbs.FEEDBACK_OPEN),
        press(comment_pressed, verbs.FEEDBACK_COMMENT),
    ),
    dialogue=Dialogue(FEEDBACK_FLOW, continue_conversation),
)
