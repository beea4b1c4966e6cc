"""Links that open one thing in the bot: `https://t.me/<bot>?start=session-12`.

Telegram passes the part after `start=` to `/start` (1–64 characters of `A-Za-z0-9_-`). The
same payloads serve the Mini App's `startapp=`, so one printed link or QR code works in both.
Ids, not keys: a re-import matches rows by key and keeps their ids, and ids are short.
Speaker invites (`spk_<token>`, `bot/domain/speakers.py`) use their own prefix; a badge's QR
code carries `badge-<CODE>` (the registration code, `bot/domain/registration.py`), which opens
check-in for organizers and the badge itself for its owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.registration import CODE_ALPHABET, CODE_LENGTH

MAX_PAYLOAD = 64


class Target(StrEnum):
    SESSION = "session"
    SPEAKER = "speaker"
    ROOM = "room"  # what is on in the room now and next


@dataclass(frozen=True)
class DeepLink:
    target: Target
    id: int


_PAYLOAD = re.compile(r"^(session|speaker|room)-([1-9][0-9]{0,17})$")


def payload(target: Target, record_id: int) -> str:
    return f"{target.value}-{record_id}"


def parse(text: str) -> DeepLink | None:
    """The link in a `/start` payload; None for anything else (an invite, a forged payload)."""
    if len(text) > MAX_PAYLOAD:
        return None
    found = _PAYLOAD.match(text)
    if found is None:
        return None
    return DeepLink(Target(found.group(1)), int(found.group(2)))


def link(bot_username: str, target: Target, record_id: int) -> str:
    return f"https://t.me/{bot_username}?start={payload(target, record_id)}"


BADGE_PREFIX = "badge-"
_BADGE = re.compile(rf"^{BADGE_PREFIX}([{CODE_ALPHABET}]{{{CODE_LENGTH}}})$")


def badge_payload(code: str) -> str:
    return f"{BADGE_PREFIX}{code}"


def parse_badge(text: str) -> str | None:
    """The registration code in a badge's `/start` payload; None for anything else."""
    found = _BADGE.match(text) if len(text) <= MAX_PAYLOAD else None
    return found.group(1) if found else None


def badge_link(bot_username: str, code: str) -> str:
    """What a badge's QR code holds: a phone camera opens the bot on the badge."""
    return f"https://t.me/{bot_username}?start={badge_payload(code)}"
