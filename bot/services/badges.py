"""The QR badge of a registration code: PNG bytes, ready for a phone camera or the desk scanner.

The QR holds a deep link to the bot (`badge-<CODE>`), not the bare code: scanned with any
phone it opens the bot, which checks the attendee in when an organizer scans it and shows
the badge to its owner. The code itself stays printed in the caption, for typing.
"""

from __future__ import annotations

import io

import segno

from bot.domain.deep_links import badge_link

QR_SCALE = 8  # pixels per module: sharp on a phone held up to a scanner
QR_BORDER = 4  # the quiet zone the QR standard asks for


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def badge_png(bot_username: str, code: str) -> bytes:
    """The badge's QR code: the link that opens check-in (organizers) or the badge (owner)."""
    return qr_png(badge_link(bot_username, code))
