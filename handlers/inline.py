"""Inline mode: `@bot climate` in any chat lists matching sessions to post there.

The asker's language comes from the context like any update's (their stored choice, else
Telegram's hint); there is no chat to answer in, only the query to answer.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest

from bot.presentation import Reply
from bot.presentation import inline as screens
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext
from bot.telegram.replies import reply_markup
from bot.telegram.request import call_api

log = logging.getLogger(__name__)


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    l10n = context.l10n
    text = screens.clean_query(query.query)
    offset = screens.parse_offset(query.offset)
    try:
        found = await context.services.ask.find(
            text, l10n.locale, offset=offset, limit=screens.PAGE_SIZE
        )
        sessions = await context.services.schedule.session_details(
            [s.id for s in found.sessions], l10n.locale
        )
        total, now_and_next = found.total, found.now_and_next
    except NoEventError:  # nothing published yet: the button still opens the bot
        sessions, total, now_and_next = [], 0, not text
    answer = screens.inline_answer(
        l10n,
        sessions[: screens.PAGE_SIZE],
        total=total,
        offset=offset,
        now_and_next=now_and_next,
        bot_username=context.bot.username,
    )
    try:
        await call_api(context.bot, "answerInlineQuery", answer_params(query.id, answer))
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        # The user typed on (or a crash made us late): Telegram no longer wants this answer.
        log.info("inline query %s not answered: %s", query.id, error.message)


def answer_params(query_id: str, answer: screens.InlineAnswer) -> dict[str, Any]:
    """answerInlineQuery's parameters as JSON: articles whose message is an HTML card."""
    results = []
    for result in answer.results:
        article: dict[str, Any] = {
            "type": "article",
            "id": result.id,
            "title": result.title,
            "description": result.description,
            "input_message_content": {
                "message_text": result.text,
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": True},
            },
        }
        markup = reply_markup(Reply("", buttons=result.buttons), menu=False)
        if markup is not None:
            article["reply_markup"] = markup
        results.append(article)
    params: dict[str, Any] = {
        "inline_query_id": query_id,
        "results": results,
        "cache_time": answer.cache_time,
        "is_personal": answer.is_personal,
        "next_offset": answer.next_offset,
    }
    if answer.button_text is not None and answer.button_start is not None:
        params["button"] = {"text": answer.button_text, "start_parameter": answer.button_start}
    return params
