"""The main menu, greeting, help and language picker."""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.views import EventView
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation.callbacks import cb

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


def help_text(l10n: Localizer) -> Reply:
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
    return Reply("\n".join(lines), menu=main_menu(l10n))


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
    text = l10n._("I don't know the command {command}.", command=command)
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


def command_descriptions(l10n: Localizer) -> list[tuple[str, str]]:
    """The command menu Telegram shows next to the text field, per language."""
    return [
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
        ("mysessions", l10n._("Speakers: my sessions")),
        ("questions", l10n._("Speakers: the audience's questions")),
        ("cancel", l10n._("Cancel the registration in progress")),
        ("language", l10n._("Choose your language")),
        ("help", l10n._("Help")),
    ]


def _autonym(code: str) -> str:
    """A language's name in itself: what a reader looks for in a picker."""
    name = Locale.parse(code).get_display_name(code) or code
    return str(name[:1].upper() + name[1:])
