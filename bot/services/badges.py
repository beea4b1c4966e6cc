"""The QR badge of a registration code: PNG bytes, ready for the desk scanner."""

from __future__ import annotations

import io

import segno

QR_SCALE = 8  # pixels per module: sharp on a phone held up to a scanner
QR_BORDER = 4  # the quiet zone the QR standard asks for


def qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(code, error="m", micro=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()
