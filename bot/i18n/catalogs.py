"""gettext catalogs from `locales/`, loaded once per process and shared by every localizer."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.domain.locales import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"

log = logging.getLogger(__name__)


class Catalogs:
    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self._directory = directory
        self._loaded: dict[str, NullTranslations] = {}

    def get(self, locale: str) -> NullTranslations:
        if locale not in self._loaded:
            self._loaded[locale] = self._load(locale)
        return self._loaded[locale]

    def preload(self) -> None:
        for locale in SUPPORTED_LOCALES:
            self.get(locale)

    def _load(self, locale: str) -> NullTranslations:
        folder = self._directory / locale / "LC_MESSAGES"
        mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as handle:
                return Translations(handle, domain=DOMAIN)
        if po.is_file():
            # A fresh clone before `make i18n-compile`: compile in memory rather than show English.
            log.warning(
                "compiled catalog for %s missing or stale; compiling %s in memory", locale, po
            )
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            return Translations(buffer, domain=DOMAIN)
        if locale != "en":
            log.error("no catalog for locale %s; falling back to the source texts", locale)
        return NullTranslations()
