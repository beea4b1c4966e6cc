"""The main menu, greeting, help and language picker."""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.text import shorten
from bot.domain.views import EventView
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation.callbacks import cb
from bot.services.roles import Standing

COMMAND_ECHO = 40  # an unknown command is echoed this long at most

# Menu actions, in keyboard order; labels come from the catalog so they can be matched back
# from whatever language the keyboard was shown in.
MENU_ACTIONS: tuple[str, ...] = (
    "programme",
    "now",
    "speakers",
    "rooms",
    "search",
    "language",
    "help",
    "agenda",
    "register",
    "me",
)


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
    label = [menu_label(l10n, action) for action in MENU_ACTIONS]
    return (
        (label[0], label[1]),
        (label[2], label[3]),
        (label[7], label[8], label[9]),
        (label[4], label[5], label[6]),
    )


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


def help_text(l10n: Localizer, standing: Standing | None = None) -> Reply:
    """The commands this person can use: everyone's, then a speaker's, an organizer's and an
    admin's, as far as they are one (`standing` None: an attendee's)."""
    lines = [
        l10n._("<b>How I can help</b>"),
        "",
        l10n._("/programme: the programme, day by day"),
        l10n._("/now: what is on now and what comes next"),
        l10n._("/next: the next sessions"),
        l10n._("/speakers: speakers and their sessions"),
        l10n._("/rooms: what is on in each room"),
        l10n._("/search: find sessions and speakers"),
        l10n._("/agenda: your personal agenda"),
        l10n._("/settings: reminders, morning summary and language"),
        l10n._("/register: register for the symposium"),
        l10n._("/me: your registration and badge"),
        l10n._("/language: choose your language"),
        "",
        l10n._(
            "Or type any words, such as a topic or a speaker's name, in any of our four languages."
        ),
    ]
    if standing is not None:
        lines += _role_help(l10n, standing)
    return Reply("\n".join(lines), menu=main_menu(l10n))


def _role_help(l10n: Localizer, standing: Standing) -> list[str]:
    lines: list[str] = []
    if standing.speaker:
        lines += [
            "",
            l10n._("<b>For speakers</b>"),
            l10n._("/mysessions: your sessions, how many saved them, and your alerts"),
            l10n._("/questions: the audience's questions for your sessions"),
        ]
    if standing.organizer:
        lines += [
            "",
            l10n._("<b>For organizers</b>"),
            l10n._("/checkin CODE: check in an attendee by their badge code"),
            l10n._("/broadcast: a message to everyone or to a group"),
            l10n._("/broadcasts: the last broadcasts and their figures"),
            l10n._("/stats: the symposium's figures"),
            l10n._("/invite: a one-time link for a speaker; add a name to search"),
            l10n._("/revoke: withdraw a speaker's open invites"),
            l10n._("Send me a schedule file to import it: you see the changes before applying."),
        ]
    if standing.admin:
        lines += [
            "",
            l10n._("<b>For admins</b>"),
            l10n._("/promote ID, /demote ID: give or take back the organizer role"),
            l10n._("/audit: the audit log"),
        ]
    return lines


def language_picker(l10n: Localizer) -> Reply:
    buttons = tuple((Button(_autonym(code), cb("lang", code)),) for code in SUPPORTED_LOCALES)
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


def unknown_command(l10n: Localizer, command: str) -> Reply:
    reply = help_text(l10n)
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
    l10n: Localizer, standing: Standing | None = None
) -> list[tuple[str, str]]:
    """The command menu Telegram shows next to the text field, per language: an attendee's
    (`standing` None, everyone's default), or a speaker's, an organizer's or an admin's."""
    commands = [
        ("start", l10n._("Welcome and main menu")),
        ("programme", l10n._("The programme, day by day")),
        ("now", l10n._("What is on now")),
        ("next", l10n._("The next sessions")),
        ("speakers", l10n._("Speakers")),
        ("rooms", l10n._("Rooms")),
        ("search", l10n._("Search sessions and speakers")),
        ("agenda", l10n._("My agenda")),
        ("settings", l10n._("Reminders, morning summary and language")),
        ("register", l10n._("Register for the symposium")),
        ("me", l10n._("My registration and badge")),
    ]
    if standing is not None and standing.speaker:
        commands += [
            ("mysessions", l10n._("Speakers: my sessions")),
            ("questions", l10n._("Speakers: the audience's questions")),
        ]
    if standing is not None and standing.organizer:
        commands += [
            ("checkin", l10n._("Organizers: check in an attendee")),
            ("broadcast", l10n._("Organizers: send a message")),
            ("broadcasts", l10n._("Organizers: the last broadcasts")),
            ("stats", l10n._("Organizers: the symposium's figures")),
            ("invite", l10n._("Organizers: invite a speaker")),
            ("revoke", l10n._("Organizers: withdraw a speaker's invites")),
        ]
    if standing is not None and standing.admin:
        commands += [
            ("promote", l10n._("Admins: make someone an organizer")),
            ("demote", l10n._("Admins: take the organizer role back")),
            ("audit", l10n._("Admins: the audit log")),
        ]
    return [
        *commands,
        ("cancel", l10n._("Cancel the registration in progress")),
        ("language", l10n._("Choose your language")),
        ("help", l10n._("Help")),
    ]


def _autonym(code: str) -> str:
    """A language's name in itself: what a reader looks for in a picker."""
    name = Locale.parse(code).get_display_name(code) or code
    return str(name[:1].upper() + name[1:])
