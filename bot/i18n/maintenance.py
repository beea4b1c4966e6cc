"""Catalog upkeep for `make i18n-*` and the catalog gate test.

`pybabel compile` is no quality gate (see docs/i18n.md), so `check` does what it does not:
every entry and plural form translated and not fuzzy, the same `{placeholders}` and HTML tags
as the msgid, and the right number of plural forms with the standard header.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.domain.locales import SUPPORTED_LOCALES
from bot.i18n.catalogs import DOMAIN, LOCALES_DIR

# The standard (CLDR, gettext, Weblate) order; Babel writes Arabic's forms 4 and 5 swapped.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
    ": n%100>=11 ? 4 : 5);",
    "en": "nplurals=2; plural=(n != 1);",
    "ms": "nplurals=1; plural=0;",
    "ur": "nplurals=2; plural=(n != 1);",
}
NPLURALS = {locale: int(rule.split(";")[0].split("=")[1]) for locale, rule in PLURAL_FORMS.items()}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def po_path(locale: str, directory: Path = LOCALES_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(locale: str, directory: Path = LOCALES_DIR) -> Catalog:
    with po_path(locale, directory).open("rb") as handle:
        return read_po(handle, locale=locale)


def fix_headers(directory: Path = LOCALES_DIR) -> None:
    """Set the standard Plural-Forms header through Babel's Catalog API (sed breaks wraps)."""
    for locale in SUPPORTED_LOCALES:
        path = po_path(locale, directory)
        if not path.is_file():
            continue
        catalog = read(locale, directory)
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[locale])]
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100)


def fill(translations: dict[str, dict[str, str | list[str]]], directory: Path = LOCALES_DIR) -> int:
    """Set msgstrs from {locale: {msgid: text or [plural forms]}} and clear their fuzzy flag.

    For translators working from a spreadsheet or a machine draft reviewed by a person; an
    msgid not in the catalog (run `make i18n-update` first) is reported, not added.
    """
    changed = 0
    for locale, entries in translations.items():
        catalog = read(locale, directory)
        for msgid, text in entries.items():
            message = catalog.get(msgid) or next(
                (m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None
            )
            if message is None:
                print(f"{locale}: not in the catalog: {msgid!r}", file=sys.stderr)
                continue
            message.string = tuple(text) if isinstance(text, list) else text
            message.flags.discard("fuzzy")
            changed += 1
        with po_path(locale, directory).open("wb") as handle:
            write_po(handle, catalog, width=100)
    return changed


def problems(locale: str, directory: Path = LOCALES_DIR) -> Iterator[str]:
    catalog = read(locale, directory)
    if catalog.plural_forms != PLURAL_FORMS[locale]:
        yield f"{locale}: Plural-Forms is {catalog.plural_forms!r}, want {PLURAL_FORMS[locale]!r}"
    for message in catalog:
        if not message.id:
            continue
        yield from (f"{locale}: {problem}" for problem in _message_problems(message, locale))


def _message_problems(message: Message, locale: str) -> Iterator[str]:
    ident = message.id if isinstance(message.id, str) else message.id[0]
    name = repr(ident[:60])
    if message.fuzzy:
        yield f"{name} is fuzzy"
    string = message.string or ""
    translations = [string] if isinstance(string, str) else list(string)
    if isinstance(message.id, str):
        sources = [message.id]
    else:
        sources = list(message.id)
        if len(translations) != NPLURALS[locale]:
            yield f"{name} has {len(translations)} plural forms, want {NPLURALS[locale]}"
    for form, text in enumerate(translations):
        if not text:
            yield f"{name} form {form} is untranslated"
            continue
        if _placeholders(text) != _placeholders(sources[min(form, len(sources) - 1)]) and not (
            # a singular form that spells out the number may drop {n} (ar "one", "two").
            len(sources) > 1 and _placeholders(text) <= _placeholders(sources[-1])
        ):
            yield f"{name} form {form} has placeholders {sorted(_placeholders(text))}"
        if sorted(_TAG.findall(text)) != sorted(_TAG.findall(sources[-1])):
            yield f"{name} form {form} has different HTML tags"


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "fix-headers":
        fix_headers()
        return 0
    if command == "fill":
        with Path(argv[2]).open(encoding="utf-8") as handle:
            print(f"{fill(json.load(handle))} translation(s) set")
        return 0
    found = [p for locale in SUPPORTED_LOCALES for p in problems(locale)]
    for problem in found:
        print(problem)
    print(f"{len(found)} catalog problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
