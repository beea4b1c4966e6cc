"""The venue card: where the symposium takes place, and a link to find it on a map."""

from __future__ import annotations

from urllib.parse import quote

from bot.domain.views import EventView
from bot.i18n import Localizer
from bot.presentation import Button, Reply

# The event data has the venue's name (translated) but no address or coordinates, so the
# map link is an OpenStreetMap search for the venue as the event wrote it.
MAP_SEARCH = "https://www.openstreetmap.org/search?query="


def map_link(venue: str) -> str:
    return MAP_SEARCH + quote(venue, safe="")


def venue_card(l10n: Localizer, event: EventView, map_query: str) -> Reply:
    """`event` in the reader's language; `map_query`: the venue in the event's own words."""
    if not event.venue.strip():
        return Reply(l10n._("📍 The venue has not been announced yet."))
    text = l10n._("📍 <b>{event}</b> takes place at {venue}.", event=event.name, venue=event.venue)
    button = Button(l10n._("🗺 Open the map"), url=map_link(map_query or event.venue))
    return Reply(text, buttons=((button,),))
