"""/venue: where the symposium takes place, in the reader's language, with a map link."""

from __future__ import annotations

from urllib.parse import quote

from bot.i18n import plain_text
from bot.i18n.localizer import RLM
from bot.sandbox.models import SentMessage
from tests.harness import BotHarness, text_of

VENUE = "Seri Pantai Convention Centre, Kuala Lumpur"
# The map is searched by the venue as the event wrote it: a map finds that in any language.
MAP = "https://www.openstreetmap.org/search?query=" + quote(VENUE, safe="")


async def catalog(bot: BotHarness, locale: str, message: str, **values: str) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks."""
    l10n = await bot.runtime.services.localizer(locale)
    return plain_text(l10n._(message, **values))


def map_links(message: SentMessage) -> list[str]:
    return [str(b["url"]) for row in message.buttons() for b in row if b.get("url")]


async def test_venue_names_the_place_and_links_a_map(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "/venue")

    assert text_of(reply) == f"📍 Global Media Symposium takes place at {VENUE}."
    assert reply.button_texts() == ["🗺 Open the map"]
    assert map_links(reply) == [MAP]


async def test_venue_in_arabic_reads_right_to_left_with_the_arabic_names(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [reply] = await bot.send(user, "/venue")

    event, venue = "الندوة العالمية للإعلام", "مركز سري بانتاي للمؤتمرات، كوالالمبور"
    message = "📍 <b>{event}</b> takes place at {venue}."
    assert text_of(reply) == await catalog(bot, "ar", message, event=event, venue=venue)
    assert reply.text is not None and reply.text.startswith(RLM)
    assert f"\u2068{venue}\u2069" in reply.text  # the venue isolated inside the sentence
    assert reply.button_texts() == [await catalog(bot, "ar", "🗺 Open the map")]
    assert map_links(reply) == [MAP]


async def test_venue_is_in_help_and_in_everyones_command_menu(bot: BotHarness) -> None:
    user = bot.user(lang="ur")

    [reply] = await bot.send(user, "/help")

    line = await catalog(bot, "ur", "/venue: where the symposium takes place, with a map")
    assert line in text_of(reply).splitlines()
    listed = [c["command"] for c in bot.fake.commands("ur")]
    assert listed.index("venue") == listed.index("rooms") + 1
