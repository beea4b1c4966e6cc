"""The last line of defence: log with the update id, apologise in the user's language."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.domain.locales import negotiate_locale
from bot.domain.message_split import CALLBACK_ANSWER_LIMIT, fit_utf16
from bot.presentation import menu
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if not isinstance(update, Update) or update.effective_chat is None:
        log.error("error outside an update (update_id=%s)", update_id, exc_info=error)
        return
    if isinstance(error, Forbidden):
        log.info("update %s: user blocked the bot; nothing to answer", update_id)
        return
    if not isinstance(error, NoEventError):
        log.error("update %s failed", update_id, exc_info=error)
    user = update.effective_user
    try:
        locale = context.profile.locale if context.profile else None
        if locale is None:
            locale = negotiate_locale(user.language_code if user else None).locale
        l10n = await context.services.localizer(locale)
    except Exception:  # the database may be what failed
        l10n = context.services.localizer_in(
            negotiate_locale(user.language_code if user else None).locale,
            context.services.settings.event_timezone,
        )
    text = menu.no_programme(l10n).text if isinstance(error, NoEventError) else menu.apology(l10n)
    try:
        if update.callback_query is not None and await _alert(update.callback_query, text):
            return
        await context.bot.send_message(
            update.effective_chat.id, l10n.finish(text), parse_mode=ParseMode.HTML
        )
    except TelegramError as failure:
        log.warning("update %s: could not apologise: %s", update_id, failure)


async def _alert(query: CallbackQuery, text: str) -> bool:
    """Apologise in the press's own alert; False when the press was answered already (the
    handler failed after answering it, e.g. on the edit), so the apology goes to the chat."""
    try:
        await query.answer(fit_utf16(text, CALLBACK_ANSWER_LIMIT), show_alert=True)
    except BadRequest as error:
        log.info("callback query %s already answered (%s)", query.id, error.message)
        return False
    return True
