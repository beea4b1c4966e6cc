"""A reader's language: their catalog, CLDR formats, and bidi-safe interpolation.

Every value interpolated into a message is HTML-escaped (replies use HTML parse mode) and
wrapped in Unicode first-strong isolates, so a Latin name inside Arabic text (or an Arabic
title inside English) keeps its own direction. Right-to-left lines start with RLM so a line
that begins with a time or a Latin name is still laid out right to left.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, get_timezone_location
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import NullTranslations
from markupsafe import Markup

from bot.domain.locales import RIGHT_TO_LEFT

FSI, PDI, RLM = "\u2068", "\u2069", "\u200f"
log = logging.getLogger(__name__)
_BIDI_CONTROLS = re.compile("[\u2066-\u2069\u200e\u200f]")
_TAG = re.compile(r"<[^>]+>")

Value = str | int | float | Markup
ListStyle = Literal["standard", "or", "unit"]

# Where CLDR reads wrong to our translators. Urdu puts no comma before اور/یا (CLDR: "A، B، اور
# C"); CLDR calls Malay الماليزية ("Malaysian") in Arabic and مالے in Urdu, while the catalogs
# say الملايوية and ملائی: one name per language (docs/i18n.md).
_LIST_ENDS = {("ur", "standard"): "{0} اور {1}", ("ur", "or"): "{0} یا {1}"}
_LANGUAGE_NAMES = {("ar", "ms"): "الملايوية", ("ur", "ms"): "ملائی"}


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}" if text else text


def strip_bidi(text: str) -> str:
    """Text without our isolates and marks: for logs, comparisons and tests."""
    return _BIDI_CONTROLS.sub("", text)


def plain_text(markup: str) -> str:
    """A message as a reader sees it, for a terminal: no tags, no bidi marks, no entities."""
    return html.unescape(_TAG.sub("", strip_bidi(markup)))


class Localizer:
    def __init__(self, locale: str, translations: NullTranslations, timezone: str) -> None:
        self.locale = locale
        self._translations = translations
        self._babel = Locale.parse(locale)
        self.timezone = ZoneInfo(timezone)

    @property
    def rtl(self) -> bool:
        return self.locale in RIGHT_TO_LEFT

    # --- messages -------------------------------------------------------------------------
    def _(self, message: str, **values: Value) -> str:
        return self._fill(self._translations.gettext(message), values, message)

    def gettext(self, message: str, **values: Value) -> str:
        return self._(message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Value) -> str:
        """`{n}` in the message is the count, formatted for the locale."""
        text = self._translations.ngettext(singular, plural, n)
        source = singular if n == 1 else plural
        return self._fill(text, {"n": self.number(n), **values}, source)

    def pgettext(self, context: str, message: str, **values: Value) -> str:
        return self._fill(str(self._translations.pgettext(context, message)), values, message)

    def finish(self, text: str) -> str:
        """The last step before sending: in RTL locales each line starts right to left."""
        if not self.rtl:
            return text
        return "\n".join(RLM + line if line else line for line in text.split("\n"))

    # --- CLDR formats ---------------------------------------------------------------------
    def time(self, moment: datetime) -> str:
        """24-hour time in the event's zone: conference programmes read better that way."""
        return str(format_skeleton("Hm", moment, tzinfo=self.timezone, locale=self._babel))

    def day(self, value: date | datetime) -> str:
        """Weekday and date, e.g. 'Sat, Mar 14' / 'السبت، 14 مارس'."""
        if isinstance(value, datetime):
            value = value.astimezone(self.timezone).date()
        return str(format_skeleton("MMMEd", value, locale=self._babel))

    def number(self, n: int | float) -> str:
        return str(format_decimal(n, locale=self._babel))

    def join(self, items: Iterable[str], style: ListStyle = "standard") -> str:
        """A localized list ('A, B and C'), each item isolated."""
        wrapped = [isolate(html.escape(item, quote=False)) for item in items]
        return self._list(wrapped, style)

    def join_rendered(self, items: Iterable[str]) -> str:
        """A localized list of items already rendered by this localizer (escaped, isolated)."""
        return self._list(list(items), "standard")

    def _list(self, items: list[str], style: ListStyle) -> str:
        end = _LIST_ENDS.get((self.locale, style))
        if not items:
            return ""
        if end is None or len(items) < 3:
            return str(format_list(items, style=style, locale=self._babel))
        patterns = self._babel.list_patterns[style]
        text = str(patterns["start"]).format(items[0], items[1])
        for item in items[2:-1]:
            text = str(patterns["middle"]).format(text, item)
        return end.format(text, items[-1])

    def language_name(self, code: str) -> str:
        if (self.locale, code) in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[(self.locale, code)]
        try:
            name = Locale.parse(code).get_display_name(self._babel)
        except (ValueError, LookupError):
            return code
        return str(name) if name else code

    def zone_name(self) -> str:
        return str(get_timezone_location(self.timezone, locale=self._babel))

    # --- helpers --------------------------------------------------------------------------
    def _fill(self, text: str, values: dict[str, Value], source: str) -> str:
        """Interpolate; a translation with broken placeholders falls back to the source text
        (the catalog gate should have caught it, but a user never gets an error for it)."""
        if not values:
            return text
        rendered = {key: _render(value) for key, value in values.items()}
        try:
            return text.format_map(rendered)
        except (KeyError, IndexError, ValueError):
            log.error("translation of %r in %s has broken placeholders", source[:60], self.locale)
            return source.format_map(rendered)


def _render(value: Value) -> str:
    if isinstance(value, Markup):
        return str(value)
    return isolate(html.escape(str(value), quote=False))
