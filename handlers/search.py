"""Free text: a main-menu button (in any language), or a question about the programme."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from telegram import Update

from bot.i18n import Catalogs
from bot.presentation import menu
from bot.presentation.answers import answer_reply, parse_refine
from bot.presentation.callbacks import decode
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext
from bot.telegram.replies import send, show
from handlers import (
    agenda,
    broadcasts,
    fallback,
    feedback,
    language,
    organizers,
    people,
    programme,
    questions,
    registration,
    rooms,
    start,
)

# A question is a sentence; anything longer is refused with a clear answer, not parsed.
MAX_QUERY_LENGTH = 300


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
    if await organizers.pasted_code(update, context):  # a badge code at the desk
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
    """A question in the asker's own words (or plain words), answered by the question engine."""
    user = update.effective_user
    try:
        answer = await context.services.ask.ask(
            query, context.l10n.locale, user_id=user.id if user else None
        )
    except NoEventError:
        await send(update, context, menu.no_programme(context.l10n))
        return
    await send(update, context, answer_reply(context.l10n, answer))


async def refine(update: Update, context: BotContext) -> None:
    """An answer's button: another page, a constraint dropped, a day or a person chosen."""
    data = decode(update.callback_query.data if update.callback_query else None)
    parsed = parse_refine(data.args) if data is not None else None
    user = update.effective_user
    text = None
    if parsed is not None and user is not None:
        text = await context.services.ask.question(parsed[0], user.id)
    if parsed is None or text is None or user is None:
        await fallback.stale_button(update, context)
        return
    question_id, overrides, page = parsed
    try:
        answer = await context.services.ask.ask(
            text,
            context.l10n.locale,
            user_id=user.id,
            question_id=question_id,
            overrides=overrides,
            page=page,
        )
    except NoEventError:  # the programme was withdrawn since the question was asked
        await show(update, context, menu.no_programme(context.l10n))
        return
    await show(update, context, answer_reply(context.l10n, answer))


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
