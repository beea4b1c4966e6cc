"""When an organizer wants a broadcast sent: the local time they type, read in the event's
zone. Pure Python, like the other rules."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.broadcasts import InvalidInput, Problem

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_DATE_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|T)(\d{1,2})[:.](\d{2})")


def parse_send_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A local time typed by the organizer, as UTC; InvalidInput when unreadable or past.

    "14:30" is the next 14:30 (today, or tomorrow once it has passed); "2026-03-15 09:00" is
    that moment, refused if it has passed. Arabic-Indic and Urdu digits are read too.
    """
    typed = " ".join(_ascii_digits(text).split())
    local_now = now.astimezone(zone)
    if match := _TIME.fullmatch(typed):
        at = _clock(int(match[1]), int(match[2]))
        moment = datetime.combine(local_now.date(), at, zone)
        if moment <= local_now:
            moment = datetime.combine(local_now.date() + timedelta(days=1), at, zone)
        return moment.astimezone(UTC)
    if match := _DATE_TIME.fullmatch(typed):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        try:
            moment = datetime(year, month, day, tzinfo=zone)
        except ValueError:
            raise InvalidInput(Problem.TIME_FORMAT) from None
        moment = datetime.combine(moment.date(), _clock(int(match[4]), int(match[5])), zone)
        if moment <= local_now:
            raise InvalidInput(Problem.TIME_PAST)
        return moment.astimezone(UTC)
    raise InvalidInput(Problem.TIME_FORMAT)


def _clock(hours: int, minutes: int) -> time:
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidInput(Problem.TIME_FORMAT)
    return time(hours, minutes)


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
