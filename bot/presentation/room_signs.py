"""A printable door sign for a room: its names in four languages, a QR code of its now/next
deep link, a line saying what the code does, and the link itself.

The fonts are bundled (`bot/assets/fonts`), so a sign looks the same on any machine. Pillow
draws a string in one font, without fallback, and Noto Naskh Arabic has no Latin letters, so a
line is cut into runs by script: Arabic-script letters in Noto Naskh Arabic (Urdu's letters
included), everything else in Noto Sans. libraqm shapes each run and lays it out in its own
direction, and the runs of a right-to-left line are placed from right to left.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Literal

import segno
from PIL import Image, ImageDraw, ImageFont, features

from bot.domain.locales import RIGHT_TO_LEFT
from bot.domain.views import RoomNames
from bot.i18n import Localizer

SIGN_SIZE = (1240, 1748)  # portrait, 1:√2 — A4 at 150 dpi, A5 at 212 dpi
DPI = 150
MARGIN = 90
LOCALE_ORDER = ("en", "ar", "ms", "ur")
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
FONTS_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
LATIN_FONT = FONTS_DIR / "NotoSans-Regular.ttf"
ARABIC_FONT = FONTS_DIR / "NotoNaskhArabic-Regular.ttf"

INK, GREY, RULE = (0, 0, 0), (60, 60, 60), (190, 190, 190)
Kind = Literal["name", "qr", "caption", "link"]
Direction = Literal["ltr", "rtl"]

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Besides Arabic letters, Noto Naskh Arabic draws only these; they join the run they are in.
_SHARED = frozenset(" \u00a0!,.:0123456789«»\u200c\u200d")
_INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


class SignRenderingError(RuntimeError):
    """Pillow cannot shape Arabic and Urdu here: a sign would print them broken."""


@dataclass(frozen=True)
class SignText:
    text: str
    locale: str  # the language of the words: their shaping and the line's direction


@dataclass(frozen=True)
class RoomSign:
    room_id: int
    file_name: str
    names: tuple[SignText, ...]  # the room's names, English first; repeats left out
    captions: tuple[SignText, ...]  # what scanning does, in each language
    link: str


@dataclass(frozen=True)
class Placed:
    """One drawn line (or the QR code) and where it goes: the layout the tests read too."""

    kind: Kind
    locale: str
    text: str
    size: int  # font size in pixels; for the QR code, pixels per module
    box: tuple[int, int, int, int]  # left, top, right, bottom


def room_sign(
    room: RoomNames, link: str, localizers: Sequence[Localizer], file_name: str
) -> RoomSign:
    """The sign's words: the room's names and, through each language's catalog, the caption."""
    by_locale = {l10n.locale: l10n for l10n in localizers}
    captions = [
        SignText(
            # TRANSLATORS: printed under the QR code on a room's door sign
            by_locale[locale]._("Scan to see what is on in this room now and next"),
            locale,
        )
        for locale in LOCALE_ORDER
        if locale in by_locale
    ]
    names = [
        SignText(room.names[locale], locale) for locale in LOCALE_ORDER if locale in room.names
    ]
    return RoomSign(room.id, file_name, _distinct(names), _distinct(captions), link)


def file_names(rooms: Iterable[RoomNames]) -> dict[int, str]:
    """A file name per room id, from its key: `room-main-hall.png`. Keys come from imported
    files, so only ASCII letters, digits and dashes are kept (no path, no `..`), and two keys
    that read the same get the room's id added."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for room in rooms:
        ascii_key = unicodedata.normalize("NFKD", room.key).encode("ascii", "ignore").decode()
        slug = _SLUG_DROP.sub("-", ascii_key.lower()).strip("-")[:60].strip("-")
        name, again = f"room-{slug or room.id}.png", 0
        while name in taken:
            again += 1
            name = f"room-{slug or 'id'}-{room.id}{f'-{again}' if again > 1 else ''}.png"
        taken.add(name)
        names[room.id] = name
    return names


def render_sign(sign: RoomSign) -> bytes:
    """The sign as a PNG (`SIGN_SIZE`, marked `DPI` dots per inch for printing)."""
    image = Image.new("RGB", SIGN_SIZE, "white")
    draw = ImageDraw.Draw(image)
    placed = layout(sign)
    for item in placed:
        if item.kind == "qr":
            image.paste(_qr_image(sign.link, item.size), item.box[:2])
        else:
            _draw_line(draw, item)
    names_end = max((p.box[3] for p in placed if p.kind == "name"), default=MARGIN)
    qr_top = next(p.box[1] for p in placed if p.kind == "qr")
    rule_y = (names_end + qr_top) // 2
    draw.line([(MARGIN * 2, rule_y), (SIGN_SIZE[0] - MARGIN * 2, rule_y)], fill=RULE, width=3)
    buffer = BytesIO()
    image.save(buffer, "PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


# top to bottom, with the space below each: the names, (a rule), the code, captions, link
_GAPS: tuple[tuple[Kind, int], ...] = (("name", 60), ("qr", 50), ("caption", 40), ("link", 0))


def layout(sign: RoomSign) -> list[Placed]:
    """Every line's place, top to bottom, centred. Long names are made smaller, then wrapped;
    the QR code takes the height left, as large as fits."""
    _require_shaping()
    width, height = SIGN_SIZE
    modules = int(_qr(sign.link).symbol_size(scale=1, border=QUIET_ZONE)[0])
    for shrink in (1.0, 0.85, 0.7, 0.6, 0.5):
        blocks: list[tuple[Kind, list[tuple[SignText, int]]]] = [
            ("name", [(t, round(100 * shrink)) for t in sign.names]),
            ("caption", [(t, round(42 * shrink)) for t in sign.captions]),
            ("link", [(SignText(sign.link, "en"), round(30 * shrink))]),
        ]
        lines = {
            kind: _fit_all(texts, width - 2 * MARGIN, same_size=kind == "caption")
            for kind, texts in blocks
        }
        text_height = sum(h for fitted in lines.values() for *_, h in fitted)
        gaps = sum(gap for _kind, gap in _GAPS)
        scale = min(22, (height - 2 * MARGIN - text_height - gaps) // modules)
        if scale >= 8:
            break
    scale = max(scale, 4)
    placed: list[Placed] = []
    y = MARGIN
    for kind, gap in _GAPS:
        if kind == "qr":
            side = modules * scale
            left = (width - side) // 2
            placed.append(Placed("qr", "", sign.link, scale, (left, y, left + side, y + side)))
            y += side + gap
            continue
        for text, size, line_width, line_height in lines[kind]:
            left = (width - line_width) // 2
            box = (left, y, left + line_width, y + line_height)
            placed.append(Placed(kind, text.locale, text.text, size, box))
            y += line_height
        y += gap
    return placed


# --- text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    text: str
    arabic: bool  # Noto Naskh Arabic, right to left; else Noto Sans
    direction: Direction


def _distinct(texts: Iterable[SignText]) -> tuple[SignText, ...]:
    seen: set[str] = set()
    kept: list[SignText] = []
    for item in texts:
        text = _SPACES.sub(" ", _INVISIBLE.sub("", item.text)).strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(SignText(text, item.locale))
    return tuple(kept)


def _runs(text: str, locale: str) -> list[_Run]:
    """The line in runs of one font and direction each, in visual order (left to right).

    A small part of the Unicode bidi algorithm (UAX #9), enough for names: Arabic letters
    read right to left and other letters left to right; digits go with the letters before
    them; spaces and signs between two runs of one direction take it, others take the line's
    direction (right to left in Arabic and Urdu). Within a run, libraqm does the rest."""
    base = "R" if locale in RIGHT_TO_LEFT else "L"
    types: list[str | None] = []
    strong = base
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("L"):
            strong = "R" if _ARABIC_SCRIPT.match(char) else "L"
            types.append(strong)
        elif category.startswith("M") and types:
            types.append(types[-1])
        else:
            types.append(strong if category == "Nd" else None)
    resolved: list[str] = []
    for index, kind in enumerate(types):
        if kind is None:
            before = resolved[-1] if resolved else base
            after = next((t for t in types[index + 1 :] if t is not None), base)
            kind = before if before == after else base
        resolved.append(kind)
    level_runs: list[list[_Run]] = []
    for char, kind in zip(text, resolved, strict=True):
        arabic = bool(_ARABIC_SCRIPT.match(char)) or (kind == "R" and char in _SHARED)
        direction: Direction = "rtl" if kind == "R" else "ltr"
        if level_runs and level_runs[-1][-1].direction == direction:
            pieces = level_runs[-1]
            if pieces[-1].arabic == arabic:
                pieces[-1] = _Run(pieces[-1].text + char, arabic, direction)
            else:
                pieces.append(_Run(char, arabic, direction))
        else:
            level_runs.append([_Run(char, arabic, direction)])
    if base == "R":
        level_runs.reverse()
    return [
        piece
        for pieces in level_runs
        for piece in (reversed(pieces) if pieces[0].direction == "rtl" else pieces)
    ]


def _fit_all(
    texts: Sequence[tuple[SignText, int]], width: int, *, same_size: bool = False
) -> list[tuple[SignText, int, int, int]]:
    """Each text as lines that fit `width`: (line, size, width, height). With `same_size`,
    all at the size the longest needs (the captions read as one block)."""
    fitted = [line for text, size in texts for line in _fit(text, size, width)]
    if same_size and fitted:
        smallest = min(size for _text, size, _width, _height in fitted)
        fitted = [line for text, _size in texts for line in _fit(text, smallest, width)]
    return fitted


def _fit(text: SignText, size: int, width: int) -> list[tuple[SignText, int, int, int]]:
    """The largest size down to 60% at which the text fits on one line; below that, wrapped
    between words at 60% (a word too long for a line on its own is left as it is)."""
    smallest = max(12, round(size * 0.6))
    for candidate in range(size, smallest - 1, -2):
        line_width = _width(text.text, text.locale, candidate)
        if line_width <= width:
            return [(text, candidate, line_width, _line_height(text.text, text.locale, candidate))]
    lines: list[str] = []
    for word in text.text.split(" "):
        if lines and _width(f"{lines[-1]} {word}", text.locale, smallest) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return [
        (
            SignText(line, text.locale),
            smallest,
            _width(line, text.locale, smallest),
            _line_height(line, text.locale, smallest),
        )
        for line in lines
    ]


def _width(text: str, locale: str, size: int) -> int:
    return round(sum(_run_width(run, locale, size) for run in _runs(text, locale)))


def _run_width(run: _Run, locale: str, size: int) -> float:
    font = _font(run.arabic, size)
    return font.getlength(run.text, direction=run.direction, language=_language(run, locale))


def _line_height(text: str, locale: str, size: int) -> int:
    """The tallest font's height: lines of one kind keep one rhythm, whatever their script."""
    fonts = {run.arabic for run in _runs(text, locale)}
    return max((sum(_metrics(arabic, size)) for arabic in fonts), default=size)


def _metrics(arabic: bool, size: int) -> tuple[int, int]:
    return _font(arabic, size).getmetrics()


def _draw_line(draw: ImageDraw.ImageDraw, item: Placed) -> None:
    left, top, _right, bottom = item.box
    runs = _runs(item.text, item.locale)
    ascent = max(_metrics(run.arabic, item.size)[0] for run in runs)
    descent = max(_metrics(run.arabic, item.size)[1] for run in runs)
    baseline = top + (bottom - top - ascent - descent) // 2 + ascent
    colour = INK if item.kind == "name" else GREY
    x = float(left)
    for run in runs:
        draw.text(
            (round(x), baseline),
            run.text,
            fill=colour,
            font=_font(run.arabic, item.size),
            anchor="ls",
            direction=run.direction,
            language=_language(run, item.locale),
        )
        x += _run_width(run, item.locale, item.size)


def _language(run: _Run, locale: str) -> str | None:
    """Urdu and Arabic forms differ (digits, some letters): tell the shaper which it is."""
    if run.arabic:
        return locale if locale in RIGHT_TO_LEFT else "ar"
    return None


@lru_cache(maxsize=64)
def _font(arabic: bool, size: int) -> ImageFont.FreeTypeFont:
    path = ARABIC_FONT if arabic else LATIN_FONT
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _require_shaping() -> None:
    if not features.check_feature("raqm"):
        raise SignRenderingError(
            "Pillow cannot shape Arabic and Urdu here (libraqm with FriBiDi is missing; on "
            "Debian or Ubuntu: apt-get install libfribidi0), so the signs would print them "
            "broken"
        )


# --- QR code -----------------------------------------------------------------------------


def _qr(link: str) -> segno.QRCode:
    return segno.make_qr(link, error="q", boost_error=False)


def _qr_image(link: str, scale: int) -> Image.Image:
    rows = [
        bytes(0 if dark else 255 for dark in row)
        for row in _qr(link).matrix_iter(border=QUIET_ZONE)
    ]
    side = len(rows)
    code = Image.frombytes("L", (side, side), b"".join(rows))
    return code.resize((side * scale, side * scale), Image.Resampling.NEAREST)
