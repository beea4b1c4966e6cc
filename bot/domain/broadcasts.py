"""Broadcast rules: who can be addressed, the draft an organizer builds one step at a time,
what a valid message and a valid sending time are. Pure Python: no database, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.attachments import ATTACHMENT_KINDS, Attachment
from bot.domain.locales import RIGHT_TO_LEFT, is_supported
from bot.domain.telegram_html import Flaw, InvalidFormatting, clean_html, utf16_len

TEXT_LIMIT = 4096  # Telegram's limits, after entity parsing
CAPTION_LIMIT = 1024


class AudienceKind(StrEnum):
    EVERYONE = "all"
    REGISTERED = "reg"  # confirmed registrations
    SESSION = "ses"  # a session in their agenda
    TRACK = "trk"  # a session of the track in their agenda
    SPEAKERS = "spk"  # users with the role "speaker"
    ORGANIZERS = "org"  # organizers and admins
    LANGUAGE = "lang"  # one language group


class Step(StrEnum):
    AUDIENCE = "audience"
    SESSION = "session"  # words typed, a session picked from the matches
    TRACK = "track"
    GROUP = "group"  # a language group
    TEXT = "text"  # the message in the default language
    DEFAULT = "default"  # choosing the default language
    VERSIONS = "versions"  # optional versions in the other languages, then Done
    VERSION = "version"  # waiting for the version in `pending`
    PREVIEW = "preview"
    EDIT = "edit"  # what to change
    SCHEDULE = "schedule"  # waiting for a local time
    WHEN = "when"  # confirming the time typed
    SENT = "sent"  # confirmed: a second Confirm finds the broadcast instead of making one


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    VERSIONS_TOO_LONG = "versions_too_long"  # a photo added later: versions must fit a caption
    FORMATTING = "formatting"
    LINK = "link"
    NO_MATCH = "no_match"
    TIME_FORMAT = "time_format"
    TIME_PAST = "time_past"
    NOBODY = "nobody"
    USE_BUTTONS = "use_buttons"
    UNSUPPORTED = "unsupported"  # a sticker, voice note, video…
    TEXT_ONLY = "text_only"  # versions share the first message's photo or document


class InvalidInput(ValueError):
    def __init__(self, problem: Problem, limit: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    value: str = ""  # a session or track id, or a locale

    def describe(self) -> str:
        return f"{self.kind.value}:{self.value}" if self.value else self.kind.value


# Audiences that need one more choice, and the step that asks for it.
CHOICE_STEPS: dict[AudienceKind, Step] = {
    AudienceKind.SESSION: Step.SESSION,
    AudienceKind.TRACK: Step.TRACK,
    AudienceKind.LANGUAGE: Step.GROUP,
}


@dataclass(frozen=True)
class Incoming:
    """A message the organizer sent: its formatted text (or caption) and any file."""

    html: str
    plain: str
    attachment: Attachment | None = None
    supported: bool = True  # False for stickers, voice notes, videos…


@dataclass(frozen=True)
class Draft:
    token: str  # one per draft: the broadcast it becomes is unique by it
    default_locale: str
    audience: Audience | None = None
    texts: dict[str, str] = field(default_factory=dict)  # locale -> Telegram HTML
    attachment: Attachment | None = None
    pending: str | None = None  # the language whose version is awaited
    send_at: datetime | None = None  # UTC, once a time was typed

    @property
    def default_text(self) -> str | None:
        return self.texts.get(self.default_locale)

    @property
    def limit(self) -> int:
        return CAPTION_LIMIT if self.attachment else TEXT_LIMIT

    def versions(self) -> tuple[str, ...]:
        """Languages with their own version besides the default."""
        return tuple(loc for loc in sorted(self.texts) if loc != self.default_locale)

    def with_text(self, locale: str, text: str) -> Draft:
        return replace(self, texts={**self.texts, locale: text})

    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "default": self.default_locale,
            "audience": [self.audience.kind.value, self.audience.value] if self.audience else None,
            "texts": dict(self.texts),
            "attachment": [self.attachment.kind, self.attachment.file_id]
            if self.attachment
            else None,
            "pending": self.pending,
            "send_at": self.send_at.isoformat() if self.send_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft | None:
        """A stored draft, or None when it is not one we can read (then it is dropped)."""
        try:
            token, default = str(data["token"]), str(data["default"])
            texts = {str(k): str(v) for k, v in dict(data.get("texts") or {}).items()}
            audience = _audience(data.get("audience"))
            attachment = _attachment(data.get("attachment"))
            send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
        except (KeyError, TypeError, ValueError):
            return None
        pending = data.get("pending") if is_supported(str(data.get("pending"))) else None
        if not is_supported(default) or not all(is_supported(k) for k in texts):
            return None
        return cls(token, default, audience, texts, attachment, pending, send_at)


def _audience(raw: Any) -> Audience | None:
    if raw is None:
        return None
    kind, value = raw
    return Audience(AudienceKind(kind), str(value))


def _attachment(raw: Any) -> Attachment | None:
    if raw is None:
        return None
    kind, file_id = raw
    if kind not in ATTACHMENT_KINDS:
        raise ValueError(kind)
    return Attachment(kind, str(file_id))


def with_audience(draft: Draft, audience: Audience) -> Draft:
    """The draft addressed to `audience`. A language group reads only its own language, so a
    draft with no message yet is written in it (asked for first, and its default)."""
    if (
        audience.kind is AudienceKind.LANGUAGE
        and draft.default_text is None
        and is_supported(audience.value)
    ):
        return replace(draft, audience=audience, default_locale=audience.value)
    return replace(draft, audience=audience)


def check_text(source: str, locale: str, limit: int, *, may_be_empty: bool = False) -> str:
    """The Telegram HTML to store for a version in `locale`, or InvalidInput.

    Right-to-left versions get a mark at the start of each line when sent, which Telegram
    counts too; they are counted here so the message never fails at send time.
    """
    try:
        clean = clean_html(source)
    except InvalidFormatting as error:
        raise InvalidInput(
            Problem.LINK if error.flaw is Flaw.LINK else Problem.FORMATTING
        ) from None
    if not clean.plain.strip() and not may_be_empty:
        raise InvalidInput(Problem.EMPTY)
    if sent_length(clean.plain, locale) > limit:
        raise InvalidInput(Problem.TOO_LONG, limit)
    return clean.html


def sent_length(plain: str, locale: str) -> int:
    marks = sum(1 for line in plain.split("\n") if line) if locale in RIGHT_TO_LEFT else 0
    return utf16_len(plain) + marks


def versions_fit(draft: Draft, limit: int) -> bool:
    """Every other language's version fits `limit` (a photo added to a text broadcast)."""
    return all(
        sent_length(clean_html(draft.texts[locale]).plain, locale) <= limit
        for locale in draft.versions()
    )
