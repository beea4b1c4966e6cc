"""The main menu, greeting, help and language picker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from babel import Locale

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.roles import Standing
from bot.domain.text import shorten
from bot.domain.views import EventView
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb

COMMAND_ECHO = 40  # an unknown command is echoed this long at most

# The main menu's actions, laid out row by row; each names the feature that answers it
# (`handlers`). Labels come from the catalog so they can be matched back from whatever
# language the keyboard was shown in.
MENU_ROWS: tuple[tuple[str, ...], ...] = (
    ("programme", "now"),
    ("speakers", "rooms"),
    ("agenda", "register", "me"),
    ("search", "language", "help"),
)
MENU_ACTIONS: tuple[str, ...] = tuple(action for row in MENU_ROWS for action in row)


def menu_label(l10n: Localizer, action: str) -> str:
    labels = {
        "programme": l10n._("📅 Programme"),
        "now": l10n._("⏱ Now & next"),
        "speakers": l10n._("🎤 Speakers"),
        "rooms": l10n._("🚪 Rooms"),
        "search": l10n._("🔎 Search"),
        "language": l10n._("🌐 Language"),
        "help": l10n._("❓ Help"),
        "agenda": l10n._("🗓 My agenda"),
        "register": l10n._("📝 Register"),
        "me": l10n._("🪪 My registration"),
    }
    return labels[action]


def main_menu(l10n: Localizer) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(menu_label(l10n, action) for action in row) for row in MENU_ROWS)


def menu_lookup(localizers: Iterable[Localizer]) -> dict[str, str]:
    """Every language's menu label -> action, so an old keyboard keeps working after a switch."""
    return {menu_label(l10n, action): action for l10n in localizers for action in MENU_ACTIONS}


def welcome(l10n: Localizer, name: str, event: EventView | None, *, offer_languages: bool) -> Reply:
    lines = [l10n._("👋 Welcome, {name}!", name=name)]
    if event is not None:
        lines.append(
            l10n._(
                "I am the assistant of <b>{event}</b>, {venue}.",
                event=event.name,
                venue=event.venue,
            )
        )
    lines.append(
        l10n._(
            "Ask me what is on now, browse the programme by day, speaker or room, "
            "or just type a few words to search."
        )
    )
    extra = (language_picker(l10n),) if offer_languages else ()
    return Reply("\n".join(lines), menu=main_menu(l10n), extra=extra)


class Audience(Enum):
    """Whose commands these are: everyone's, or a speaker's, an organizer's, an admin's."""

    EVERYONE = "everyone"
    SPEAKER = "speaker"
    ORGANIZER = "organizer"
    ADMIN = "admin"

    def includes(self, standing: Standing | None) -> bool:
        if self is Audience.EVERYONE:
            return True
        if standing is None:
            return False
        if self is Audience.SPEAKER:
            return standing.speaker
        return standing.organizer if self is Audience.ORGANIZER else standing.admin


Text = Callable[[Localizer], str]


@dataclass(frozen=True)
class CommandLine:
    """A command in the menu Telegram shows next to the text field."""

    name: str
    describe: Text
    audience: Audience = Audience.EVERYONE
    last: bool = False  # after the roles' commands: the ways out (cancel, language, help)


@dataclass(frozen=True)
class HelpLine:
    """A line of /help, under its audience's heading."""

    text: Text
    audience: Audience = Audience.EVERYONE


@dataclass(frozen=True)
class Guide:
    """What the features declared, in their order: the help's lines and the command menus."""

    commands: tuple[CommandLine, ...] = ()
    help: tuple[HelpLine, ...] = ()


def _headings(l10n: Localizer) -> dict[Audience, str]:
    return {
        Audience.SPEAKER: l10n._("<b>For speakers</b>"),
        Audience.ORGANIZER: l10n._("<b>For organizers</b>"),
        Audience.ADMIN: l10n._("<b>For admins</b>"),
    }


def help_text(l10n: Localizer, guide: Guide, standing: Standing | None = None) -> Reply:
    """The commands this person can use: everyone's, then a speaker's, an organizer's and an
    admin's, as far as they are one (`standing` None: an attendee's)."""
    lines = [
        l10n._("<b>How I can help</b>"),
        "",
        *(line.text(l10n) for line in guide.help if line.audience is Audience.EVERYONE),
        "",
        l10n._(
            "Or type any words, such as a topic or a speaker's name, in any of our four languages."
        ),
    ]
    if standing is not None:
        for audience, heading in _headings(l10n).items():
            if audience.includes(standing):
                own = [line.text(l10n) for line in guide.help if line.audience is audience]
                lines += ["", heading, *own]
    return Reply("\n".join(lines), menu=main_menu(l10n))


def language_picker(l10n: Localizer) -> Reply:
    buttons = tuple(
        (Button(_autonym(code), cb(verbs.LANGUAGE, code)),) for code in SUPPORTED_LOCALES
    )
    return Reply(l10n._("🌐 Choose your language:"), buttons=buttons)


def language_set(l10n: Localizer) -> Reply:
    return Reply(
        l10n._(
            "Done! I will speak {language} with you from now on.", language=_autonym(l10n.locale)
        ),
        menu=main_menu(l10n),
    )


def search_prompt(l10n: Localizer) -> Reply:
    return Reply(
        l10n._(
            "🔎 Type what you are looking for: a topic, a title, a speaker or a room, "
            "in Arabic, English, Malay or Urdu."
        )
    )


def unknown_command(l10n: Localizer, guide: Guide, command: str) -> Reply:
    reply = help_text(l10n, guide)
    text = l10n._("I don't know the command {command}.", command=shorten(command, COMMAND_ECHO))
    return Reply(text + "\n\n" + reply.text, menu=reply.menu)


def not_text(l10n: Localizer) -> Reply:
    return Reply(
        l10n._("I can only read text. Type a few words to search the programme, or use the menu.")
    )


def too_long(l10n: Localizer, limit: int) -> Reply:
    return Reply(
        l10n.ngettext(
            "That message is too long for a search. Please use at most {n} character.",
            "That message is too long for a search. Please use at most {n} characters.",
            limit,
        )
    )


def no_programme(l10n: Localizer) -> Reply:
    return Reply(l10n._("The programme has not been published yet. Please check back soon."))


def stale_button(l10n: Localizer) -> str:
    return l10n._("This button has expired. Please open the menu again.")


def apology(l10n: Localizer) -> str:
    return l10n._("Sorry, something went wrong on my side. Please try again in a moment.")


def command_descriptions(
    l10n: Localizer, guide: Guide, standing: Standing | None = None
) -> list[tuple[str, str]]:
    """The command menu Telegram shows next to the text field, per language: an attendee's
    (`standing` None, everyone's default), or a speaker's, an organizer's or an admin's."""
    order = (Audience.EVERYONE, Audience.SPEAKER, Audience.ORGANIZER, Audience.ADMIN)
    listed = [
        line
        for audience in order
        if audience.includes(standing)
        for line in guide.commands
        if line.audience is audience and not line.last
    ]
    listed += [line for line in guide.commands if line.last and line.audience.includes(standing)]
    return [(line.name, line.describe(l10n)) for line in listed]


def _autonym(code: str) -> str:
    """A language's name in itself: what a reader looks for in a picker."""
    name = Locale.parse(code).get_display_name(code) or code
    return str(name[:1].upper() + name[1:])
