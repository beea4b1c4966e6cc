"""Every user-facing string ships translated in ar, en, ms and ur, with sound plurals."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.support import Translations

from bot.domain.locales import SUPPORTED_LOCALES
from bot.i18n import Localizer
from bot.i18n.catalogs import LOCALES_DIR
from bot.i18n.maintenance import NPLURALS, po_path, problems, read

SOURCES = [Path("bot"), Path("handlers")]
COUNTS = [0, 1, 2, 3, 11, 100, 101]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_is_complete_not_fuzzy_and_placeholders_match(locale: str) -> None:
    assert list(problems(locale)) == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalog(locale: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(po_path(locale))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("locale", ["ar", "ms", "ur"])
def test_no_english_left_in_a_non_english_catalog(locale: str) -> None:
    untranslated = [
        m.id
        for m in read(locale)
        if m.id and isinstance(m.id, str) and m.string == m.id and _has_words(m.id)
    ]
    assert untranslated == []


def _has_words(text: str) -> bool:
    """English words outside placeholders and tags ("{start}–{end}" is not English)."""
    return re.search("[A-Za-z]{3}", re.sub(r"\{\w+\}|<[^>]+>", "", text)) is not None


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_plural_renders_for_every_count(locale: str, tmp_path: Path) -> None:
    catalog = read(locale)
    mo = tmp_path / "messages.mo"
    with mo.open("wb") as handle:
        write_mo(handle, catalog)
    with mo.open("rb") as handle:
        l10n = Localizer(locale, Translations(handle), "Asia/Kuala_Lumpur")
    plurals = [m for m in catalog if m.id and not isinstance(m.id, str)]
    assert plurals
    for message in plurals:
        singular, plural = message.id[0], message.id[1]
        names = set(re.findall(r"\{(\w+)\}", plural)) - {"n"}
        seen = set()
        for n in COUNTS:
            text = l10n.ngettext(singular, plural, n, **{name: "X" for name in names})
            assert text.strip(), (locale, singular, n)
            seen.add(text)
        assert len(seen) <= NPLURALS[locale] * len(COUNTS)


def test_the_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """A string added in code but not extracted would silently show in English."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-o",
            str(pot),
            *map(str, SOURCES),
        ],
        check=True,
    )
    extracted = set(re.findall(r'^msgid "(.+)"$', pot.read_text("utf-8"), re.MULTILINE))
    shipped = {m.id if isinstance(m.id, str) else m.id[0] for m in read("ar") if m.id}
    assert extracted - shipped == set()


def test_catalogs_live_in_the_locales_folder() -> None:
    assert LOCALES_DIR.name == "locales"
    assert {p.name for p in LOCALES_DIR.iterdir() if p.is_dir()} >= set(SUPPORTED_LOCALES)
