"""Free text: a main-menu button (in any language) or a search of the programme."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from telegram import Update

from bot.domain.text import strip_controls
from bot.i18n import Catalogs
from bot.presentation import menu
from bot.presentation.search import search_results
from bot.telegram.context import BotContext
from bot.telegram.replies import send
from handlers import (
    agenda,
    broadcasts,
    feedback,
    language,
    people,
    programme,
    questions,
    registration,
    rooms,
    start,
)

MAX_QUERY_LENGTH = 200


async def search_command(update: Update, context: BotContext) -> None:
    """/search alone asks for words; /search words searches at once."""
    words = " ".join(context.args or [])
    if not words.strip():
        await send(update, context, menu.search_prompt(context.l10n))
        return
    await _search(update, context, words)


async def text(update: Update, context: BotContext) -> None:
    """A menu button (it keeps working in the middle of any dialogue), an answer to the
    dialogue under way, or else a search."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    action = await _menu_action(context, message.text.strip())
    if action is not None:
        await action(update, context)
        return
    if await _answers_dialogue(update, context):
        return
    if len(message.text) > MAX_QUERY_LENGTH:
        await send(update, context, menu.too_long(context.l10n, MAX_QUERY_LENGTH))
        return
    await _search(update, context, message.text)


async def _answers_dialogue(update: Update, context: BotContext) -> bool:
    """Text typed into a dialogue under way (every flow keeps it in `conversations`).

    The profile, read with the user, says whether there is one, so the many messages that
    are questions to the bot skip asking each flow (a transaction each)."""
    if context.profile is not None and context.profile.dialogue is None:
        return False
    return (
        await registration.continue_conversation(update, context)
        or await broadcasts.continue_conversation(update, context)
        or await questions.continue_conversation(update, context)
        or await feedback.continue_conversation(update, context)
    )


async def _search(update: Update, context: BotContext, query: str) -> None:
    query = " ".join(strip_controls(query).split())
    results = await context.services.schedule.search(query, context.l10n.locale)
    await send(update, context, search_results(context.l10n, query, results))


Action = Callable[[Update, BotContext], Awaitable[None]]


async def _prompt(update: Update, context: BotContext) -> None:
    await send(update, context, menu.search_prompt(context.l10n))


ACTIONS: dict[str, Action] = {
    "programme": programme.days,
    "now": programme.now,
    "speakers": people.speakers,
    "rooms": rooms.rooms,
    "search": _prompt,
    "language": language.choose,
    "help": start.help_command,
    "agenda": agenda.my_agenda,
    "register": registration.register,
    "me": registration.me,
}


# Every language's menu labels, built once per process: the catalogs never change meanwhile.
_MENU_LABELS: WeakKeyDictionary[Catalogs, dict[str, str]] = WeakKeyDictionary()


async def _menu_action(context: BotContext, label: str) -> Action | None:
    services = context.services
    lookup = _MENU_LABELS.get(services.catalogs)
    if lookup is None:
        lookup = menu.menu_lookup(await services.all_localizers())
        _MENU_LABELS[services.catalogs] = lookup
    action = lookup.get(label)
    return ACTIONS[action] if action else None
