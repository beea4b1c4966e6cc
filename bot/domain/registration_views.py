"""Read models of the registration flow, handed from the service to the presentation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.registration import Country, Draft, Problem, Step


@dataclass(frozen=True)
class Progress:
    """Where an attendee is in the registration dialogue, and what to ask next."""

    step: Step
    draft: Draft
    existing: bool = False  # changing a confirmed registration rather than making one
    problem: Problem | None = None  # why the last answer was refused
    query: str | None = None  # the country search just typed
    matches: tuple[Country, ...] = ()
    resumed: bool = False  # /register found this dialogue already under way


@dataclass(frozen=True)
class RegistrationView:
    full_name: str
    email: str
    organization: str
    profession: str
    country: str
    language: str
    code: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Badge:
    """A badge to send: its QR code (a link to the bot) is drawn where the bot's name is known."""

    code: str


@dataclass(frozen=True)
class Confirmation:
    registration: RegistrationView
    first_time: bool  # a new code was issued: send the badge
    changed: bool  # some answer differs from what was stored
    already: bool = False  # nothing to confirm (e.g. Confirm pressed twice): shown as is
    badge: Badge | None = None


@dataclass(frozen=True)
class Promotion:
    """A waitlisted attendee who got the seat an erased registration gave back."""

    user_id: int
    session_id: int


@dataclass(frozen=True)
class Erasure:
    erased: bool  # False: there was no registration to erase
    promoted: tuple[Promotion, ...] = ()


class Cancelled(StrEnum):
    NOTHING = "nothing"
    DRAFT = "draft"  # a new registration was abandoned: nothing stored
    EDIT = "edit"  # changes were dropped: the registration is unchanged


@dataclass(frozen=True)
class RegistrationCounts:
    """Anonymous figures for organizers; erased registrations still count here."""

    confirmed: int
    erased: int
    by_profession: dict[str, int]
    by_country: dict[str, int]
    by_language: dict[str, int]
