"""A question cut into tokens: words, numbers, clock times ("10:30", "3.30") and dates ("9/12").

Everything is normalized the way the programme's search documents are (`bot.domain.text`:
casefold, accents and Arabic marks gone, look-alike letters folded), after Arabic-Indic and
Extended Arabic-Indic digits became Western ones and invisible controls were dropped. The
patterns are linear (no nested quantifiers), so no input can make them backtrack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.text import normalize

MAX_QUESTION = 300  # characters looked at; a longer text is not a question
MAX_TOKENS = 40

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# C0/C1 controls, bidi marks, embeddings, overrides and isolates, the Arabic letter mark,
# zero-width characters: none of them changes what was asked.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_TOKEN = re.compile(
    r"(?P<clock>(?<![\w.:/])\d{1,2}[:.]\d{2}(?![\w.:/]))"
    r"|(?P<date>(?<![\w./])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\w/]))"
    r"|(?P<word>\w+)"
)
# "3pm", "10am", "2nd", "ke-2": digits glued to letters are two tokens.
# Markup pasted into a question is not part of it: "<b>", "</script>".
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_GLUED = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
# The article and the one-letter prepositions and conjunctions glued to Arabic words.
_ARTICLE = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)(?=\w{2})")


class Kind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    CLOCK = "clock"
    DATE = "date"


@dataclass(frozen=True)
class Token:
    text: str  # normalized
    kind: Kind


def clean(text: str) -> str:
    """The question with Western digits and without invisible characters."""
    visible = _INVISIBLE.sub(" ", text[: MAX_QUESTION * 2].translate(_DIGITS))
    return _TAG.sub(" ", visible)[:MAX_QUESTION]


def tokenize(text: str) -> list[Token]:
    normal = _GLUED.sub(" ", normalize(clean(text)).replace("_", " "))
    tokens: list[Token] = []
    for found in _TOKEN.finditer(normal):
        kind = found.lastgroup
        value = found.group()
        if kind == "clock":
            tokens.append(Token(value.replace(".", ":"), Kind.CLOCK))
        elif kind == "date":
            tokens.append(Token(value, Kind.DATE))
        elif value.isdigit():
            tokens.append(Token(value.lstrip("0") or "0", Kind.NUMBER))
        else:
            tokens.append(Token(value, Kind.WORD))
        if len(tokens) >= MAX_TOKENS:
            break
    return tokens


def words_of(text: str) -> list[str]:
    """Normalized tokens of a phrase or name, as `tokenize` would cut them."""
    return [t.text for t in tokenize(text)]


def strip_article(word: str) -> str:
    """An Arabic word without its article or glued preposition ("بالقاعة" → "قاعه")."""
    return _ARTICLE.sub("", word)


def is_arabic_script(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)
