"""Thin Telegram handlers: parse the update, call one service, render the reply.

Each module declares its feature (`bot.telegram.features.Feature`: commands, buttons, menu
actions, help lines, dialogue). `FEATURES` only puts them in order, and the order is what
people read: /help and the command menus list the features' lines in it, grouped by whom
they are for. `register_handlers` adds the declared handlers, then the catch-alls, last.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.telegram.features import FeatureIndex
from handlers import (
    agenda,
    broadcasts,
    fallback,
    feedback,
    imports,
    inline,
    language,
    organizers,
    people,
    programme,
    questions,
    registration,
    rooms,
    search,
    settings,
    speakers,
    start,
    venue,
)

FEATURES = FeatureIndex(
    (
        start.WELCOME,  # /start heads the command menu
        programme.FEATURE,
        people.FEATURE,
        rooms.FEATURE,
        venue.FEATURE,
        search.FEATURE,
        agenda.FEATURE,
        settings.FEATURE,
        registration.FEATURE,  # its /cancel is the first of the ways out, listed last
        # Organizers read check-in, broadcasts, figures, invites, then importing.
        organizers.CHECKIN,
        broadcasts.FEATURE,
        organizers.STATS,
        speakers.FEATURE,  # a speaker's /mysessions before /questions
        questions.FEATURE,
        feedback.FEATURE,
        imports.FEATURE,
        organizers.ROLES,
        language.FEATURE,  # the last line of everyone's help
        start.HELP,  # the last command of every menu
        fallback.FEATURE,
    )
)


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The declared commands and buttons, then what no declaration names. PTB runs the first
    matching handler of a group, so commands come before free text and catch-alls last."""
    app.bot_data.features = FEATURES
    private = filters.ChatType.PRIVATE
    for command in FEATURES.commands():
        app.add_handler(CommandHandler(command.name, command.handler, filters=private))
    for pressed in FEATURES.presses():
        app.add_handler(CallbackQueryHandler(pressed.handler, pattern=pressed.regex()))

    # `@bot words` in any chat: matching sessions to post there.
    app.add_handler(InlineQueryHandler(inline.inline_query))
    # A photo, document or other non-text message answers a broadcast draft that awaits its
    # message. It runs in an earlier group and stops there only when it used the message, so
    # whatever comes below (uploads, the not-text answer) still sees everything else.
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, broadcasts.media),
        group=-1,
    )
    # Free text: an answer to the dialogue under way (registration, broadcast), a menu button
    # in any language, otherwise a search.
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, search.text))
    # A document from an organizer is a schedule to import (dry run first, then Apply).
    app.add_handler(MessageHandler(private & filters.Document.ALL, imports.schedule_file))
    # Last: anything else gets a translated answer instead of silence.
    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(CallbackQueryHandler(fallback.stale_button))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.not_text))
