"""Speakers: invite tokens, when speakers are alerted and asked to check in, and the views
their screens are built from. Pure rules: time is always a parameter."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.text import normalize
from bot.domain.views import PersonRef, SessionDetail

INVITE_PREFIX = "spk_"
INVITE_TTL = timedelta(days=14)
TOKEN_BYTES = 24  # 32 URL-safe characters: the payload stays far below Telegram's 64
_PAYLOAD = re.compile(r"^spk_[A-Za-z0-9_-]{16,60}$")

# Alerts before each of a speaker's sessions, in minutes: the event's default (the setting
# SPEAKER_ALERT_MINUTES) unless the speaker chose otherwise (`speaker_links.alert_leads`).
DEFAULT_ALERT_LEADS: tuple[int, ...] = (60, 15)
MAX_ALERTS = 3
MAX_ALERT_MINUTES = 24 * 60
# What a speaker can pick on /mysessions (None = the event's default).
ALERT_CHOICES: tuple[tuple[int, ...], ...] = ((60, 15), (30, 10), (15,), ())
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


def parse_leads(raw: str) -> tuple[int, ...]:
    """ "60,15" -> (60, 15), longest first; "" or "off" -> () (no alerts).

    Raises ValueError saying what is wrong: at most MAX_ALERTS whole minutes, each from 1 to
    MAX_ALERT_MINUTES."""
    text = raw.strip().lower()
    if text in ("", "off", "none", "0"):
        return ()
    leads = set()
    for item in text.replace(" ", "").split(","):
        if not item.isdigit() or not 0 < int(item) <= MAX_ALERT_MINUTES:
            raise ValueError(f"{item!r} is not a number of minutes from 1 to {MAX_ALERT_MINUTES}")
        leads.add(int(item))
    if len(leads) > MAX_ALERTS:
        raise ValueError(f"at most {MAX_ALERTS} alerts, not {len(leads)}")
    return tuple(sorted(leads, reverse=True))


def format_leads(leads: tuple[int, ...]) -> str:
    """What `speaker_links.alert_leads` stores: "60,15", or "" for no alerts."""
    return ",".join(str(n) for n in leads)


def leads_for(stored: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """A speaker's alert leads: their own choice, else the event's (also if unreadable)."""
    if stored is None:
        return default
    try:
        return parse_leads(stored) if stored else ()
    except ValueError:
        return default


@dataclass(frozen=True)
class Invite:
    speaker_id: int
    speaker_name: str
    speaker_key: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SpeakerChoice:
    """A speaker in the organizers' invite and revoke pickers, named in the reader's language."""

    id: int
    name: str
    organization: str
    linked: bool  # an account is linked to this speaker
    open_invites: int  # neither used, withdrawn nor expired


@dataclass(frozen=True)
class Redeemed:
    """An invite opened: the speaker linked, or `again` their own link reopened by them.

    `displaced`: an account that was this speaker's before (the newest link wins)."""

    speaker_id: int
    again: bool = False
    displaced: tuple[int, ...] = ()


@dataclass(frozen=True)
class Revoked:
    speaker_name: str
    count: int


def name_matches(query: str, names: Sequence[str]) -> bool:
    """Every word of the query starts a word of one of the names (any language, any case,
    accents and Arabic marks ignored): "mariam", "Obeid", "مريم" all find Mariam Obeid."""
    wanted = _name_words(query)
    if not wanted:
        return True
    return any(
        all(any(word.startswith(w) for word in words) for w in wanted)
        for words in (_name_words(name) for name in names)
    )


def _name_words(text: str) -> list[str]:
    return normalize(text).replace("-", " ").split()


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
class AlertSetting:
    """A speaker's choice (None = the event's default) and the event's default."""

    chosen: tuple[int, ...] | None
    default: tuple[int, ...]

    @property
    def leads(self) -> tuple[int, ...]:
        return self.default if self.chosen is None else self.chosen


@dataclass(frozen=True)
class PeopleNotice:
    """Who joined or left a speaker's session, or that the speaker was added or removed.

    `you`: "added" (now listed), "removed" (no longer listed) or "" (co-speakers changed).
    `session` is None when the session is no longer in the programme (removed only)."""

    you: str
    title: str
    starts_at: datetime
    ends_at: datetime
    session: SessionDetail | None
    joined: tuple[PersonRef, ...] = ()
    left: tuple[PersonRef, ...] = ()


@dataclass(frozen=True)
class MissingSpeaker:
    name: str
    session_title: str
    status: str | None  # late | None (no answer)


@dataclass(frozen=True)
class MissingReport:
    starts_at: datetime
    missing: tuple[MissingSpeaker, ...]


Person = tuple[int, str]  # (speaker id, role)


@dataclass(frozen=True)
class Listed:
    """A session and its people as stored, read before an import changes them."""

    title: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    people: tuple[Person, ...]
    titles: dict[str, str]  # by locale, for telling speakers of a session that is gone


@dataclass(frozen=True)
class PeopleChange:
    """A session's speakers and moderators before and after an import, in programme order."""

    session_id: int
    before: tuple[Person, ...]
    after: tuple[Person, ...]

    @property
    def joined(self) -> tuple[Person, ...]:
        return tuple(p for p in self.after if p not in self.before)

    @property
    def left(self) -> tuple[Person, ...]:
        return tuple(p for p in self.before if p not in self.after)

    @property
    def added(self) -> frozenset[int]:
        """Speakers newly listed (in any role)."""
        return frozenset(i for i, _ in self.after) - {i for i, _ in self.before}

    @property
    def removed(self) -> frozenset[int]:
        """Speakers no longer listed at all."""
        return frozenset(i for i, _ in self.before) - {i for i, _ in self.after}

    @property
    def variant(self) -> str:
        """The same change told twice (two racing imports) is one message."""
        text = repr((sorted(self.before), sorted(self.after)))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def people_change(
    session_id: int, before: Sequence[Person], after: Sequence[Person]
) -> PeopleChange | None:
    """None when the same people have the same roles (their order does not matter)."""
    if set(before) == set(after):
        return None
    return PeopleChange(session_id, tuple(before), tuple(after))


def people_news(
    before: Mapping[int, Listed], after: Mapping[int, Listed], now: datetime
) -> list[tuple[PeopleChange, Listed, bool]]:
    """The sessions whose speakers or moderators changed, as their speakers hear of it: a
    session cancelled (or over) is no people news. With each, the session as it is now (as
    it was, if gone) and whether it is still there."""
    news: list[tuple[PeopleChange, Listed, bool]] = []
    for session_id in sorted(before.keys() | after.keys()):
        old, new = before.get(session_id), after.get(session_id)
        state = new or old
        if state is None or state.cancelled or state.ends_at <= now:
            continue
        change = people_change(session_id, old.people if old else (), new.people if new else ())
        if change is not None:
            news.append((change, state, new is not None))
    return news


def news_for(change: PeopleChange, speaker_id: int) -> str:
    """What a linked speaker hears of a change: "removed" from the session, "added" to it,
    or "" (the team changed around them)."""
    if speaker_id in change.removed:
        return "removed"
    return "added" if speaker_id in change.added else ""
