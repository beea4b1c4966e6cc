"""The words the question engine knows: our word files plus Babel's CLDR names.

Babel (CLDR) gives weekday and month names and the am/pm markers in all four languages; it
has no words for "tomorrow", "pukul" or "بجے", and its day-period names do not match how
people use them (Malay `morning1` is "tengah malam", midnight), so those live in
`words/<language>.toml`, which a translator can extend without touching code. All four
languages are active for every asker: people mix them ("متى يتحدث Karim Mansour؟").
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from importlib import resources

from babel.dates import get_day_names, get_month_names, get_period_names

from bot.domain.ask.tokens import strip_article, words_of
from bot.domain.locales import SUPPORTED_LOCALES

MAX_PHRASE = 5  # tokens


@dataclass(frozen=True)
class Meaning:
    """What a phrase says: a section of the word files and the entry in it."""

    section: str  # days, ordinals, periods, clock, relative, asks, kinds, languages, weekday, month
    value: str


@dataclass(frozen=True)
class Period:
    name: str
    start: time
    end: time | None  # None: until midnight


@dataclass
class Lexicon:
    phrases: dict[tuple[str, ...], set[Meaning]] = field(default_factory=lambda: defaultdict(set))
    # the same phrases without the Arabic article: used only where no phrase is listed as is
    # ("الغد" is also found as "غد", but "يوم" keeps its own meaning, not that of "اليوم")
    derived: dict[tuple[str, ...], set[Meaning]] = field(default_factory=lambda: defaultdict(set))
    synonyms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    synonym_words: set[str] = field(default_factory=set)  # what synonyms become: never dropped
    periods: dict[str, Period] = field(default_factory=dict)  # "<lang>:<name>" -> range
    stop: set[str] = field(default_factory=set)
    generic_rooms: set[str] = field(default_factory=set)
    past_markers: set[str] = field(default_factory=set)

    def add(self, phrase: str, meaning: Meaning) -> None:
        tokens = tuple(words_of(phrase))
        if not tokens or len(tokens) > MAX_PHRASE:
            return
        self.phrases[tokens].add(meaning)
        stripped = tuple(strip_article(t) for t in tokens)
        if stripped != tokens:  # "الغد" is also found as "غد", "بالعربية" as "عربيه"
            self.derived[stripped].add(meaning)

    def meanings(self, tokens: tuple[str, ...]) -> set[Meaning]:
        found = self.phrases.get(tokens)
        if found:
            return found
        found = self.derived.get(tokens)
        if found:
            return found
        bare = tuple(strip_article(t) for t in tokens)
        return (self.phrases.get(bare) or set()) if bare != tokens else set()


def _clock(text: str) -> time | None:
    hours, minutes = (int(part) for part in text.split(":"))
    return None if hours >= 24 else time(hours, minutes)


def _load_words(lexicon: Lexicon, locale: str) -> None:
    source = resources.files("bot.domain.ask").joinpath("words", f"{locale}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    for section in ("days", "ordinals", "clock", "relative", "asks", "kinds", "languages"):
        for value, phrases in data.get(section, {}).items():
            if value == "past_markers":
                lexicon.past_markers.update(w for p in phrases for w in words_of(p))
                continue
            for phrase in phrases:
                lexicon.add(phrase, Meaning(section, str(value)))
    for name, period in data.get("periods", {}).items():
        key = f"{locale}:{name}"
        lexicon.periods[key] = Period(name, _clock(period["from"]) or time(0), _clock(period["to"]))
        for phrase in period["words"]:
            lexicon.add(phrase, Meaning("periods", key))
    for canonical, phrases in data.get("synonyms", {}).items():
        for phrase in phrases:
            lexicon.synonyms[tuple(words_of(phrase))] = tuple(words_of(canonical))
            lexicon.synonym_words.update(words_of(canonical))
    lexicon.generic_rooms.update(
        w for phrase in data.get("rooms", {}).get("generic", []) for w in words_of(phrase)
    )
    lexicon.stop.update(
        w for phrase in data.get("stop", {}).get("words", []) for w in words_of(phrase)
    )


def _load_cldr(lexicon: Lexicon, locale: str) -> None:
    for width in ("wide", "abbreviated"):
        for weekday, name in get_day_names(width, "format", locale).items():
            if len(name) >= 3:  # Malay "Ahd", English "Sun"; nothing shorter is a day name
                lexicon.add(name, Meaning("weekday", str(weekday)))
        for month, name in get_month_names(width, "format", locale).items():
            if len(name) >= 3:
                lexicon.add(name, Meaning("month", str(month)))
    periods = get_period_names("abbreviated", "format", locale)
    for marker in ("am", "pm"):
        if marker in periods:
            lexicon.add(periods[marker], Meaning("clock", marker))


@cache
def lexicon() -> Lexicon:
    """Every language's words, loaded once per process."""
    loaded = Lexicon()
    for locale in SUPPORTED_LOCALES:
        _load_words(loaded, locale)
        _load_cldr(loaded, locale)
    return loaded
