"""Organizers send a schedule file to the bot: the dry-run diff, then Apply."""

from __future__ import annotations

import logging

from telegram import Update

from bot.importers.base import N_, Problem, ProgrammeFormatError
from bot.presentation import callbacks as verbs
from bot.presentation import imports as screens
from bot.presentation import menu, organizers
from bot.presentation.menu import Audience, HelpLine
from bot.services.audit import NotAllowed
from bot.services.imports import MAX_PROGRAMME_BYTES
from bot.telegram.context import BotContext
from bot.telegram.features import Feature, press
from bot.telegram.replies import send, show

log = logging.getLogger(__name__)


async def schedule_file(update: Update, context: BotContext) -> None:
    message, profile = update.effective_message, context.profile
    if message is None or message.document is None or profile is None:
        return
    document = message.document
    name = document.file_name or "schedule"
    try:  # the role first: nothing anyone else sends is fetched from Telegram
        await context.services.imports.may_import(profile, name)
    except NotAllowed:  # an attendee's document is not a programme: say what we read
        await send(update, context, menu.not_text(context.l10n))
        return
    if (document.file_size or 0) > MAX_PROGRAMME_BYTES:
        too_large = Problem("", N_("the file is larger than 20 MB"))
        error = ProgrammeFormatError(name, [too_large])
        await send(update, context, screens.format_error(context.l10n, error))
        return
    try:
        data = await _download(context, document.file_id)
        summary = await context.services.imports.preview(profile, name, data, document.file_id)
    except NotAllowed:  # demoted meanwhile
        await send(update, context, menu.not_text(context.l10n))
        return
    except ProgrammeFormatError as error:
        await send(update, context, screens.format_error(context.l10n, error))
        return
    await send(update, context, screens.dry_run_reply(context.l10n, summary, "impa"))


async def apply(update: Update, context: BotContext) -> None:
    profile = context.profile
    if profile is None:
        return
    imports = context.services.imports
    try:
        pending = await imports.pending(profile)
        if pending is None:
            raise LookupError("nothing pending")
        data = await _download(context, pending.file_ref)
        summary = await imports.apply_file(profile, pending.name, data)
    except NotAllowed:
        await show(update, context, organizers.not_allowed(context.l10n))
        return
    except LookupError:  # applied already (a second press) or expired
        if update.callback_query is not None:
            await update.callback_query.answer(screens.nothing_pending(context.l10n))
        return
    except ProgrammeFormatError as error:
        await show(update, context, screens.format_error(context.l10n, error))
        return
    await show(update, context, screens.applied_reply(context.l10n, summary))


async def _download(context: BotContext, file_id: str) -> bytes:
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


FEATURE = Feature(
    "imports",
    presses=(press(apply, verbs.IMPORT_APPLY),),
    help=(
        HelpLine(
            lambda l10n: l10n._(
                "Send me a schedule file to import it: you see the changes before applying."
            ),
            Audience.ORGANIZER,
        ),
    ),
)
