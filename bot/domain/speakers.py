"""Speakers: invite tokens, when speakers are alerted and asked to check in, and the views
their screens are built from. Pure rules: time is always a parameter."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.views import SessionDetail

INVITE_PREFIX = "spk_"
INVITE_TTL = timedelta(days=14)
TOKEN_BYTES = 24  # 32 URL-safe characters: the payload stays far below Telegram's 64
_PAYLOAD = re.compile(r"^spk_[A-Za-z0-9_-]{16,60}$")

# Alerts before each of a speaker's sessions, in minutes (the one place for the defaults;
# a per-speaker setting can replace these later).
ALERT_LEADS: tuple[int, ...] = (60, 15)
CHECKIN_LEAD = 45  # "I'm here" / "I'm running late" buttons
CHECKIN_DEADLINE = 15  # organizers hear about speakers who have not answered by then
PLAN_HORIZON = timedelta(days=2)  # the planner looks this far ahead

HERE, LATE = "here", "late"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_payload(token: str) -> str:
    return INVITE_PREFIX + token


def parse_payload(payload: str) -> str | None:
    """The token of a `/start spk_<token>` payload; None when it is no invite at all."""
    if not payload.startswith(INVITE_PREFIX):
        return None
    return payload[len(INVITE_PREFIX) :] if _PAYLOAD.match(payload) else ""


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={invite_payload(token)}"


def due_before(starts_at: datetime, minutes: int, now: datetime) -> datetime | None:
    """The moment `minutes` before the start, or None once it has passed."""
    due = starts_at - timedelta(minutes=minutes)
    return due if due > now else None


def minutes_left(starts_at: datetime, now: datetime) -> int:
    return max(0, round((starts_at - now).total_seconds() / 60))


@dataclass(frozen=True)
class Invite:
    speaker_id: int
    speaker_name: str
    speaker_key: str
    token: str
    expires_at: datetime


class RedeemFailure(Exception):
    """Why an invite links nothing: "invalid", "used", "expired" or "revoked"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SpeakerSession:
    session: SessionDetail
    bookmarks: int
    seats_taken: int | None  # workshops with a capacity only
    checkin: str | None = None  # this speaker's answer: here | late | None


@dataclass(frozen=True)
class SpeakerHome:
    speaker_id: int
    name: str
    sessions: tuple[SpeakerSession, ...]


@dataclass(frozen=True)
class SpeakerAlert:
    item: SpeakerSession
    minutes: int


@dataclass(frozen=True)
class MissingSpeaker:
    name: str
    session_title: str
    status: str | None  # late | None (no answer)


@dataclass(frozen=True)
class MissingReport:
    starts_at: datetime
    missing: tuple[MissingSpeaker, ...]
