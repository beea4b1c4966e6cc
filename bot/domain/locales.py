"""Which of our four languages a Telegram user gets before they choose one."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_LOCALES: tuple[str, ...] = ("ar", "en", "ms", "ur")
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar", "ur"})
DEFAULT_LOCALE = "en"

# Product decisions, documented in docs/i18n.md: languages whose readers are better served by
# one of ours than by English. Indonesian readers understand Malay; Pashto, Punjabi, Sindhi,
# Saraiki and Balochi speakers in Pakistan read Urdu. Persian readers get English (Urdu shares
# the script, not the language) and the picker.
CLOSE_LANGUAGES: dict[str, str] = {
    "id": "ms",
    "ps": "ur",
    "pa": "ur",
    "pnb": "ur",
    "sd": "ur",
    "skr": "ur",
    "bal": "ur",
}


@dataclass(frozen=True)
class LocaleGuess:
    locale: str
    certain: bool  # False: we guessed, so first contact also offers the language picker


def negotiate_locale(language_code: str | None) -> LocaleGuess:
    """Map Telegram's `language_code` hint (e.g. 'ar', 'en-GB', 'ms-MY', 'id') to a locale."""
    if not language_code:
        return LocaleGuess(DEFAULT_LOCALE, certain=False)
    base = language_code.replace("_", "-").split("-")[0].lower()
    if base in SUPPORTED_LOCALES:
        return LocaleGuess(base, certain=True)
    return LocaleGuess(CLOSE_LANGUAGES.get(base, DEFAULT_LOCALE), certain=False)


def is_supported(locale: str) -> bool:
    return locale in SUPPORTED_LOCALES
