"""Free text: a main-menu button (in any language), or a question about the programme."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from telegram import Update

from bot.i18n import Catalogs
from bot.presentation import callbacks as verbs
from bot.presentation import menu
from bot.presentation.answers import answer_reply, parse_refine
from bot.presentation.callbacks import decode
from bot.presentation.menu import HelpLine
from bot.services.schedule import NoEventError
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, Handler, MenuAction, press
from bot.telegram.replies import send, show
from handlers import fallback, organizers

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
    """Text typed into a dialogue under way: the profile, read with the user, names its
    flow, so the feature that owns it is asked, and nobody when there is none."""
    profile = context.profile
    if profile is None or profile.dialogue is None:
        return False
    answer = context.features.dialogues.get(profile.dialogue)
    return answer is not None and await answer(update, context)


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


async def _prompt(update: Update, context: BotContext) -> None:
    await send(update, context, menu.search_prompt(context.l10n))


# Every language's menu labels, built once per process: the catalogs never change meanwhile.
_MENU_LABELS: WeakKeyDictionary[Catalogs, dict[str, str]] = WeakKeyDictionary()


async def _menu_action(context: BotContext, label: str) -> Handler | None:
    services = context.services
    lookup = _MENU_LABELS.get(services.catalogs)
    if lookup is None:
        lookup = menu.menu_lookup(await services.all_localizers())
        _MENU_LABELS[services.catalogs] = lookup
    action = lookup.get(label)
    return context.features.actions.get(action) if action else None


FEATURE = Feature(
    "search",
    commands=(
        Command("search", search_command, lambda l10n: l10n._("Search sessions and speakers")),
    ),
    presses=(press(refine, verbs.REFINE),),
    menu=(MenuAction("search", _prompt),),
    help=(HelpLine(lambda l10n: l10n._("/search: find sessions and speakers")),),
)
