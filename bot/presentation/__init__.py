"""What the bot says, as plain data: text plus buttons, rendered for one reader.

Nothing here imports Telegram, so replies, reminders and broadcasts share the same cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.domain.attachments import Attachment


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None  # callback data (<= 64 bytes)
    url: str | None = None
    # Share: Telegram lets the user pick a chat and puts `@bot <this>` in its text field.
    switch_inline_query: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    menu: tuple[tuple[str, ...], ...] | None = None  # a reply keyboard, when it changes
    notice: str | None = None  # a short toast for a button press
    extra: tuple[Reply, ...] = field(default=())  # follow-up messages (e.g. the language picker)
    attachment: Attachment | None = None  # a photo or document; `text` is its caption
    # The text is already laid out for its reader (an organizer's broadcast, in the direction
    # of the language it is written in): sent as it is, without the reader's line marks.
    finished: bool = False

    def with_notice(self, notice: str) -> Reply:
        return replace(self, notice=notice)
