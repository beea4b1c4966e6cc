"""Thin Telegram handlers: parse the update, call one service, render the reply.

`register_handlers` is the single ordered list; PTB runs the first matching handler of a
group, so commands come before free text and the catch-alls come last.
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
)


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    commands: list[tuple[str, Any]] = [
        ("start", start.start),
        ("help", start.help_command),
        ("language", language.choose),
        ("programme", programme.days),
        ("program", programme.days),
        ("now", programme.now),
        ("next", programme.next_sessions),
        ("speakers", people.speakers),
        ("rooms", rooms.rooms),
        ("search", search.search_command),
        ("agenda", agenda.my_agenda),
        ("settings", settings.settings),
        ("checkin", organizers.checkin),
        ("promote", organizers.promote),
        ("demote", organizers.demote),
        ("audit", organizers.audit),
        ("stats", organizers.stats),
        ("broadcast", broadcasts.broadcast),
        ("broadcasts", broadcasts.history),
        ("register", registration.register),
        ("me", registration.me),
        ("cancel", registration.cancel),
        ("invite", speakers.invite),
        ("revoke", speakers.revoke),
        ("mysessions", speakers.my_sessions),
        ("questions", questions.questions_command),
    ]
    for name, callback in commands:
        app.add_handler(CommandHandler(name, callback, filters=private))

    callbacks: list[tuple[str, Any]] = [
        (r"^lang:", language.chosen),
        (r"^days$", programme.days),
        (r"^day:", programme.day),
        (r"^ses:", programme.session),
        (r"^now$", programme.now),
        (r"^spks:", people.speakers),
        (r"^spk:", people.speaker),
        (r"^rooms$", rooms.rooms),
        (r"^room:", rooms.room),
        (r"^help$", start.help_command),
        (r"^noop$", fallback.noop),
        (r"^ak:", search.refine),
        (r"^impa$", imports.apply),
        (r"^agenda$", agenda.my_agenda),
        (r"^stg$", settings.settings),
        (r"^lead:", settings.lead_pressed),
        (r"^dig:", settings.digest_pressed),
        (r"^u?bm:", agenda.bookmark),
        (r"^u?rsv:", agenda.seat),
        (r"^icsa?(:|$)", agenda.calendar_file),
        (r"^rg:", registration.step_pressed),
        (r"^rgf:", registration.field_pressed),
        (r"^rg[rcl]:", registration.choice_pressed),
        (r"^me:", registration.me_pressed),
        (r"^bc:", broadcasts.pressed),
        (r"^bcx:", broadcasts.cancel_pressed),
        (r"^spip:", speakers.invite),
        (r"^spi:", speakers.invite_pressed),
        (r"^sprp:", speakers.revoke),
        (r"^spr:", speakers.revoke_pressed),
        (r"^spc:", speakers.checkin_pressed),
        (r"^spal$", speakers.alerts),
        (r"^spas:", speakers.alerts_chosen),
        (r"^qs:", questions.board_pressed),
        (r"^qa:", questions.ask_pressed),
        (r"^qx$", questions.cancel_pressed),
        (r"^qv:", questions.vote_pressed),
        (r"^qh:", questions.hide_pressed),
        (r"^qsp:", questions.speaker_pressed),
        (r"^qan:", questions.answered_pressed),
        (r"^fb:", feedback.rated),
        (r"^fbo:", feedback.opened),
        (r"^fbc:", feedback.comment_pressed),
    ]
    for pattern, callback in callbacks:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))

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
