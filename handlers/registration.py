"""Registration: /register, /me, /cancel, their buttons, and the answers attendees type."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.domain.registration import FIELDS, Step
from bot.domain.registration_views import Badge, Progress
from bot.presentation import attendee
from bot.presentation import callbacks as verbs
from bot.presentation import registration as screens
from bot.presentation.callbacks import Callback, decode
from bot.presentation.menu import HelpLine
from bot.services.badges import badge_png
from bot.services.registration import FLOW as REGISTRATION_FLOW
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Dialogue, Feature, MenuAction, press
from bot.telegram.replies import send, show
from handlers import feedback, questions
from handlers.fallback import stale_button

log = logging.getLogger(__name__)
Action = Callable[[Update, BotContext], Awaitable[None]]
CHOICE_STEPS = {
    verbs.REGISTRATION_ROLE: Step.ROLE,
    verbs.REGISTRATION_COUNTRY: Step.COUNTRY,
    verbs.REGISTRATION_LANGUAGE: Step.LANGUAGE,
}


async def register(update: Update, context: BotContext) -> None:
    found = await context.services.registration.begin(_user_id(context))
    await show(update, context, screens.opening(context.l10n, found, _contact(context)))


async def me(update: Update, context: BotContext) -> None:
    found = await context.services.registration.registration(_user_id(context))
    await show(update, context, attendee.my_registration(context.l10n, found))


async def cancel(update: Update, context: BotContext) -> None:
    if await feedback.cancel(update, context):  # a comment being typed
        return
    if await questions.cancel(update, context):  # a question being typed
        return
    outcome = await context.services.registration.cancel(_user_id(context))
    await show(update, context, attendee.cancelled(context.l10n, outcome))


async def continue_conversation(update: Update, context: BotContext) -> bool:
    """Typed text answers the registration under way; False if there is none to answer.

    Menu buttons are never answers: `search.text` tries them first.
    """
    message = update.effective_message
    if message is None or message.text is None or context.profile is None:
        return False
    progress = await context.services.registration.answer(
        context.profile.id, message.text, context.l10n.locale
    )
    if progress is None:
        return False
    await send(update, context, screens.prompt(context.l10n, progress, _contact(context)))
    return True


# --- buttons ---------------------------------------------------------------------------------
async def step_pressed(update: Update, context: BotContext) -> None:
    """`rg:<action>`: the dialogue's own buttons."""
    data = _callback(update)
    action = STEP_ACTIONS.get(data.args[0]) if data else None
    if action is None:
        await stale_button(update, context)
        return
    await action(update, context)


async def field_pressed(update: Update, context: BotContext) -> None:
    """`rgf:<field>`: change one answer from the summary."""
    data = _callback(update)
    step = next((s for s in FIELDS if data and s.value == data.args[0]), None)
    progress = await context.services.registration.go_to(_user_id(context), step) if step else None
    await _show_progress(update, context, progress)


async def choice_pressed(update: Update, context: BotContext) -> None:
    """`rgr:`, `rgc:`, `rgl:`: a role, country or language button."""
    data = _callback(update)
    step = CHOICE_STEPS.get(data.verb) if data else None
    progress = None
    if data is not None and step is not None:
        progress = await context.services.registration.choose(_user_id(context), step, data.args[0])
    await _show_progress(update, context, progress)


async def me_pressed(update: Update, context: BotContext) -> None:
    """`me:<action>`: the buttons under the /me card."""
    data = _callback(update)
    action = ME_ACTIONS.get(data.args[0]) if data else None
    if action is None:
        await stale_button(update, context)
        return
    await action(update, context)


async def _restart(update: Update, context: BotContext) -> None:
    found = await context.services.registration.begin(_user_id(context), restart=True)
    await show(update, context, screens.opening(context.l10n, found, _contact(context)))


async def _resume(update: Update, context: BotContext) -> None:
    progress = await context.services.registration.current(_user_id(context))
    await _show_progress(update, context, progress)


async def _agree(update: Update, context: BotContext) -> None:
    progress = await context.services.registration.agree(_user_id(context))
    await _show_progress(update, context, progress)


async def _confirm(update: Update, context: BotContext) -> None:
    confirmation = await context.services.registration.confirm(_user_id(context))
    if confirmation is None:
        await stale_button(update, context)
        return
    await show(update, context, attendee.confirmed(context.l10n, confirmation))
    if confirmation.badge is not None:
        await send_badge(update, context, confirmation.badge)


def _go_to(step: Step) -> Action:
    async def go(update: Update, context: BotContext) -> None:
        progress = await context.services.registration.go_to(_user_id(context), step)
        await _show_progress(update, context, progress)

    return go


async def _edit(update: Update, context: BotContext) -> None:
    progress = await context.services.registration.edit_registration(_user_id(context))
    if progress is None:
        await show(update, context, attendee.not_registered(context.l10n))
        return
    await show(update, context, screens.prompt(context.l10n, progress, _contact(context)))


async def _badge(update: Update, context: BotContext) -> None:
    badge = await context.services.registration.badge(_user_id(context))
    if badge is None:
        await show(update, context, attendee.not_registered(context.l10n))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send_badge(update, context, badge)


async def _ask_erase(update: Update, context: BotContext) -> None:
    await show(update, context, attendee.erase_question(context.l10n))


async def _erase(update: Update, context: BotContext) -> None:
    erasure = await context.services.registration.erase(_user_id(context))
    # Seats given back go to the next on each waitlist; they hear it through the outbox.
    await show(update, context, attendee.erased(context.l10n, erasure))


STEP_ACTIONS: dict[str, Action] = {
    "start": register,
    "resume": _resume,
    "restart": _restart,
    "cancel": cancel,
    "agree": _agree,
    "confirm": _confirm,
    "pick": _go_to(Step.PICK),
    "summary": _go_to(Step.SUMMARY),
}
ME_ACTIONS: dict[str, Action] = {
    "show": me,
    "edit": _edit,
    "badge": _badge,
    "delete": _ask_erase,
    "erase": _erase,
}


# --- helpers ---------------------------------------------------------------------------------
async def _show_progress(update: Update, context: BotContext, progress: Progress | None) -> None:
    """The next question; a button from another step (or a closed dialogue) is stale."""
    if progress is None:
        await stale_button(update, context)
        return
    await show(update, context, screens.prompt(context.l10n, progress, _contact(context)))


async def send_badge(update: Update, context: BotContext, badge: Badge) -> None:
    """The badge photo: a QR code of the link that opens check-in, the code in the caption."""
    chat = update.effective_chat
    if chat is None:
        return
    l10n = context.l10n
    png = badge_png(context.bot.username, badge.code)
    await context.bot.send_photo(
        chat.id,
        InputFile(png, filename=f"badge-{badge.code}.png"),
        caption=l10n.finish(attendee.badge_caption(l10n, badge.code)),
        parse_mode=ParseMode.HTML,
    )


def _callback(update: Update) -> Callback | None:
    return decode(update.callback_query.data if update.callback_query else None)


def _user_id(context: BotContext) -> int:
    if context.profile is None:
        raise RuntimeError("registration needs a user")
    return context.profile.id


def _contact(context: BotContext) -> str:
    """Whom the privacy notice names for questions about one's data (PRIVACY_CONTACT)."""
    return context.services.settings.privacy_contact or ""


FEATURE = Feature(
    "registration",
    commands=(
        Command("register", register, lambda l10n: l10n._("Register for the symposium")),
        Command("me", me, lambda l10n: l10n._("My registration and badge")),
        Command(
            "cancel", cancel, lambda l10n: l10n._("Cancel the registration in progress"), last=True
        ),
    ),
    presses=(
        press(step_pressed, verbs.REGISTRATION_STEP),
        press(field_pressed, verbs.REGISTRATION_FIELD),
        press(
            choice_pressed,
            verbs.REGISTRATION_ROLE,
            verbs.REGISTRATION_COUNTRY,
            verbs.REGISTRATION_LANGUAGE,
        ),
        press(me_pressed, verbs.MY_REGISTRATION),
    ),
    menu=(MenuAction("register", register), MenuAction("me", me)),
    help=(
        HelpLine(lambda l10n: l10n._("/register: register for the symposium")),
        HelpLine(lambda l10n: l10n._("/me: your registration and badge")),
    ),
    dialogue=Dialogue(REGISTRATION_FLOW, continue_conversation),
)
