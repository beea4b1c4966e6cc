"""The personal agenda: bookmarks, seats and calendar files."""

from __future__ import annotations

from datetime import timedelta

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.domain.views import MySession, SessionDetail
from bot.presentation import agenda as screens
from bot.presentation import callbacks as verbs
from bot.presentation import programme
from bot.presentation.callbacks import Callback, decode
from bot.presentation.menu import HelpLine
from bot.services.calendar import build_ics
from bot.services.seats import NoSeatsHere
from bot.telegram.context import BotContext
from bot.telegram.features import Command, Feature, MenuAction, Press, press
from bot.telegram.replies import show
from handlers.fallback import stale_button


async def my_agenda(update: Update, context: BotContext) -> None:
    user = _user_id(context)
    items = await context.services.agenda.items(user, context.l10n.locale)
    await show(update, context, screens.agenda(context.l10n, items))


async def bookmark(update: Update, context: BotContext) -> None:
    data = _session_callback(update)
    if data is None:
        await stale_button(update, context)
        return
    agenda, user = context.services.agenda, _user_id(context)
    try:
        if data.verb == verbs.BOOKMARK:
            await agenda.add(user, data.int_arg(0))
            notice = screens.added(context.l10n)
        else:
            await agenda.remove(user, data.int_arg(0))
            notice = screens.removed(context.l10n)
    except LookupError:
        await stale_button(update, context)
        return
    await _refresh_card(update, context, data, notice)


async def seat(update: Update, context: BotContext) -> None:
    data = _session_callback(update)
    if data is None:
        await stale_button(update, context)
        return
    services, user, session_id = context.services, _user_id(context), data.int_arg(0)
    try:
        if data.verb == verbs.RESERVE:
            state = await services.seats.reserve(user, session_id)  # and bookmarks it
            notice = (
                screens.seat_reserved(context.l10n)
                if state.status == "confirmed"
                else screens.waitlisted(context.l10n, state.position or 0)
            )
        else:
            await services.seats.cancel(user, session_id)  # the next in line hears via the outbox
            notice = screens.seat_released(context.l10n)
    except NoSeatsHere:
        await stale_button(update, context)
        return
    await _refresh_card(update, context, data, notice)


async def calendar_file(update: Update, context: BotContext) -> None:
    """One session (`ics:<id>`) or the whole agenda (`icsa`) as an .ics document."""
    data = decode(update.callback_query.data if update.callback_query else None)
    services, l10n = context.services, context.l10n
    if data is not None and data.verb == verbs.ICS and data.args[0].isdigit():
        found = await services.schedule.session(data.int_arg(0), l10n.locale)
        sessions = [found] if found else []
        name = f"session-{data.args[0]}.ics"
    else:
        sessions = await services.agenda.details(_user_id(context), l10n.locale)
        name = "my-agenda.ics"
    query = update.callback_query
    if not sessions:
        if query is not None:
            await query.answer(screens.nothing_to_export(l10n), show_alert=True)
        return
    event = await services.schedule.event(l10n.locale)
    lead = (await services.reminders.settings(_user_id(context))).lead  # the alarm follows it
    content = build_ics(
        sessions,
        timezone=await services.event_timezone(),
        calendar_name=event.name,
        stamp=services.clock.now(),
        lead=timedelta(minutes=lead) if lead else None,
    )
    if query is not None:
        await query.answer()
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_document(
            chat.id,
            InputFile(content, filename=name, attach=True),
            caption=l10n.finish(screens.calendar_caption(l10n)),
            parse_mode=ParseMode.HTML,
        )


async def _refresh_card(update: Update, context: BotContext, data: Callback, notice: str) -> None:
    services, l10n = context.services, context.l10n
    session_id = data.int_arg(0)
    found = await services.schedule.session(session_id, l10n.locale)
    if found is None:
        await stale_button(update, context)
        return
    mine = await my_session(context, found)
    reply = programme.session_card(l10n, found, data.args[1], mine)
    await show(update, context, reply.with_notice(notice))


async def my_session(context: BotContext, session: SessionDetail) -> MySession:
    """The user's buttons on the card (bookmark, seat, ask, rate): one database read."""
    return await context.services.session_card.mine(_user_id(context), session)


def _session_callback(update: Update) -> Callback | None:
    data = decode(update.callback_query.data if update.callback_query else None)
    if data is None or not data.args or not data.args[0].isdigit():
        return None
    return data


def _user_id(context: BotContext) -> int:
    if context.profile is None:
        raise RuntimeError("agenda actions need a user")
    return context.profile.id


FEATURE = Feature(
    "agenda",
    commands=(Command("agenda", my_agenda, lambda l10n: l10n._("My agenda")),),
    presses=(
        press(my_agenda, verbs.AGENDA),
        press(bookmark, verbs.BOOKMARK, verbs.UNBOOKMARK),
        press(seat, verbs.RESERVE, verbs.UNRESERVE),
        # `ics` or `icsa` with any tail: whatever does not name a session gets the agenda.
        Press(calendar_file, (verbs.ICS, verbs.ICS_AGENDA), pattern=r"^icsa?(:|$)"),
    ),
    menu=(MenuAction("agenda", my_agenda),),
    help=(HelpLine(lambda l10n: l10n._("/agenda: your personal agenda")),),
)
