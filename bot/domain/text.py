"""Text rules shared by search and input handling, for all four scripts."""

from __future__ import annotations

import re
import unicodedata

# Arabic-script marks that change nothing for matching: harakat, Quranic marks, tatweel,
# superscript alef. Urdu-specific letters are folded to their Arabic look-alikes so that a
# query typed on an Arabic keyboard finds Urdu titles and the other way round.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ے": "ي",
        "ۓ": "ي",
        "ة": "ه",
        "ۃ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ک": "ك",
        "ؤ": "و",
        "ئ": "ي",
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_QUERY_WORDS = 8
MIN_WORD_LENGTH = 2


def normalize(text: str) -> str:
    """Casefold, strip Latin accents and Arabic marks, fold look-alike letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _ARABIC_MARKS.sub("", without_accents).translate(_FOLD)
    return unicodedata.normalize("NFC", folded)


def search_words(query: str) -> list[str]:
    """The normalized words of a query worth matching, longest first, at most a handful."""
    words = {w for w in _WORD.findall(normalize(query)) if len(w) >= MIN_WORD_LENGTH}
    return sorted(words, key=lambda w: (-len(w), w))[:MAX_QUERY_WORDS]


def search_document(*parts: str) -> str:
    """The text a record is found by: its normalized words, space-separated, padded."""
    words = _WORD.findall(normalize(" ".join(parts)))
    return " " + " ".join(dict.fromkeys(words)) + " "


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary within `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
