"""Who may do what: the role names, the roles that may organize, and a person's standing.

Services check roles (`bot/services/audit.py:require_role`) and the presentation lays out
menus from a `Standing`; both read the names from here, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.locales import DEFAULT_LOCALE

ORGANIZER, ATTENDEE, ADMIN, SPEAKER = "organizer", "attendee", "admin", "speaker"
ORGANIZER_ROLES = frozenset({ORGANIZER, ADMIN})
ADMIN_ROLES = frozenset({ADMIN})


@dataclass(frozen=True)
class RoleChange:
    user_id: int
    display_name: str
    before: str
    after: str
    never_wrote: bool = False  # the id has not used the bot (yet, or it is mistyped)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Standing:
    """What a person may do, for their command menu and /help: their role and whether their
    account is linked to a speaker of the programme (organizers may be speakers too)."""

    user_id: int
    locale: str = DEFAULT_LOCALE
    role: str = ATTENDEE
    speaker: bool = False

    @property
    def organizer(self) -> bool:
        return self.role in ORGANIZER_ROLES

    @property
    def admin(self) -> bool:
        return self.role == ADMIN

    @property
    def privileged(self) -> bool:
        """Has commands beyond an attendee's."""
        return self.organizer or self.speaker
