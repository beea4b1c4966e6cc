"""Registration rules: the questions in order, what a valid answer is, and badge codes.

Pure Python so the rules are tested without a database or Telegram. Answers are checked,
never silently repaired: a control character is refused rather than stripped, so what is
stored is exactly what the attendee typed (HTML included; it is escaped when shown).
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

PROFESSIONS: tuple[str, ...] = (
    "journalist",
    "editor",
    "producer",
    "technologist",
    "policymaker",
    "academic",
    "student",
    "other",
)

NAME_LIMITS = (2, 120)
ORGANIZATION_LIMITS = (1, 150)
EMAIL_LIMIT = 254

# Badge codes are read aloud and typed at the desk: no 0/O or 1/I look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8

# C0/C1 controls (line breaks and tabs included) and the bidi embeddings, overrides and
# isolates that could reorder or break out of the isolates the Localizer wraps values in.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# One @, no spaces; a domain of dot-separated labels (any script) ending in a 2+ letter TLD.
_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[^\s@\"(),:;<>\[\]\\]+(?<!\.)"
    r"@(?:[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
)


class Step(StrEnum):
    NAME = "name"
    EMAIL = "email"
    ORGANIZATION = "organization"
    ROLE = "role"
    COUNTRY = "country"
    LANGUAGE = "language"
    CONSENT = "consent"
    SUMMARY = "summary"
    PICK = "pick"  # choosing which answer to change


FIELDS: tuple[Step, ...] = (
    Step.NAME,
    Step.EMAIL,
    Step.ORGANIZATION,
    Step.ROLE,
    Step.COUNTRY,
    Step.LANGUAGE,
)
TYPED_FIELDS = frozenset({Step.NAME, Step.EMAIL, Step.ORGANIZATION})


class Problem(StrEnum):
    """Why an answer was refused; the presentation layer words it."""

    CONTROL = "control"
    NAME_LENGTH = "name_length"
    NAME_LETTER = "name_letter"
    EMAIL = "email"
    EMAIL_LENGTH = "email_length"
    ORGANIZATION_LENGTH = "organization_length"
    USE_BUTTONS = "use_buttons"


class InvalidAnswer(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # in the reader's language


@dataclass(frozen=True)
class Draft:
    """The answers so far; stored as JSON in the conversation row."""

    full_name: str | None = None
    email: str | None = None
    organization: str | None = None
    profession: str | None = None
    country: str | None = None
    language: str | None = None
    consent: bool = False

    def next_step(self) -> Step:
        """The first unanswered question, then consent, then the summary."""
        for step in FIELDS:
            if self.value(step) is None:
                return step
        return Step.SUMMARY if self.consent else Step.CONSENT

    @property
    def complete(self) -> bool:
        return self.next_step() is Step.SUMMARY

    def value(self, step: Step) -> str | None:
        return getattr(self, _ATTRIBUTES[step])  # type: ignore[no-any-return]

    def answer(self, step: Step, value: str) -> Draft:
        changes: dict[str, Any] = {_ATTRIBUTES[step]: value}
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Draft:
        """Defensive: a row written by an older version loses unknown or mistyped keys."""
        if not isinstance(data, dict):
            return cls()
        known: dict[str, Any] = {}
        for field in fields(cls):
            value = data.get(field.name)
            if field.name == "consent":
                known[field.name] = value is True
            elif isinstance(value, str):
                known[field.name] = value
        return cls(**known)


_ATTRIBUTES = {
    Step.NAME: "full_name",
    Step.EMAIL: "email",
    Step.ORGANIZATION: "organization",
    Step.ROLE: "profession",
    Step.COUNTRY: "country",
    Step.LANGUAGE: "language",
}


def load_state(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in text)


def clean_typed_answer(step: Step, text: str) -> str:
    """The answer to a typed question, trimmed, or InvalidAnswer saying what is wrong."""
    if has_control_characters(text):
        raise InvalidAnswer(Problem.CONTROL)
    value = text.strip()
    if step is Step.NAME:
        low, high = NAME_LIMITS
        if not low <= len(value) <= high:
            raise InvalidAnswer(Problem.NAME_LENGTH)
        if not any(c.isalpha() for c in value):
            raise InvalidAnswer(Problem.NAME_LETTER)
    elif step is Step.EMAIL:
        if len(value) > EMAIL_LIMIT:
            raise InvalidAnswer(Problem.EMAIL_LENGTH)
        if not is_email(value):
            raise InvalidAnswer(Problem.EMAIL)
    elif step is Step.ORGANIZATION:
        low, high = ORGANIZATION_LIMITS
        if not low <= len(value) <= high:
            raise InvalidAnswer(Problem.ORGANIZATION_LENGTH)
    else:
        raise InvalidAnswer(Problem.USE_BUTTONS)
    return value


def is_email(text: str) -> bool:
    return len(text) <= EMAIL_LIMIT and _EMAIL.fullmatch(text) is not None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)
