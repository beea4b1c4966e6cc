"""Formatting an organizer typed, checked against what Telegram's HTML parse mode accepts.

PTB turns a message's entities into HTML (`Message.text_html`). We keep Telegram's own tags
only, spell the two PTB writes differently the way Telegram documents them (spoiler spans,
code language classes), unwrap custom emoji and dates (their text stays) and re-escape the
rest, so what is stored is exactly what Telegram will parse. Anything else is refused, never
silently dropped. Lengths are counted as Telegram counts them: the visible text, in UTF-16
code units.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser

PLAIN_TAGS = frozenset({"b", "strong", "i", "em", "u", "s", "pre", "tg-spoiler"})
UNWRAPPED_TAGS = frozenset({"tg-emoji", "tg-time"})  # PTB writes them; their text is enough
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")


class Flaw(StrEnum):
    TAG = "tag"  # a tag Telegram does not know
    LINK = "link"  # a link that is not http(s), tg or mailto
    NESTING = "nesting"  # tags not properly nested or left open


class InvalidFormatting(ValueError):
    def __init__(self, flaw: Flaw, detail: str) -> None:
        super().__init__(f"{flaw}: {detail}")
        self.flaw = flaw


@dataclass(frozen=True)
class CleanText:
    html: str  # Telegram HTML, safe to send with parse_mode=HTML
    plain: str  # what the reader sees


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clean_html(source: str) -> CleanText:
    """Telegram HTML from PTB's `text_html`, or InvalidFormatting saying what is wrong."""
    cleaner = _Cleaner()
    cleaner.feed(source)
    cleaner.close()
    if cleaner.open_tags:
        raise InvalidFormatting(Flaw.NESTING, f"<{cleaner.open_tags[-1][0]}> is not closed")
    return CleanText("".join(cleaner.html), "".join(cleaner.plain))


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html: list[str] = []
        self.plain: list[str] = []
        self.open_tags: list[tuple[str, str | None]] = []  # (tag as written, tag as sent)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        sent_as, opening = self._opening(tag, values)
        self.open_tags.append((tag, sent_as))
        self.html.append(opening)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise InvalidFormatting(Flaw.TAG, f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1][0] != tag:
            raise InvalidFormatting(Flaw.NESTING, f"</{tag}> closes nothing open")
        _, sent_as = self.open_tags.pop()
        if sent_as is not None:
            self.html.append(f"</{sent_as}>")

    def handle_data(self, data: str) -> None:
        self.html.append(html.escape(data, quote=False))
        self.plain.append(data)

    def handle_comment(self, data: str) -> None:
        raise InvalidFormatting(Flaw.TAG, "<!-- -->")

    def handle_decl(self, decl: str) -> None:
        raise InvalidFormatting(Flaw.TAG, f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        raise InvalidFormatting(Flaw.TAG, f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        raise InvalidFormatting(Flaw.TAG, f"<![{data}]>")

    def _opening(self, tag: str, values: dict[str, str]) -> tuple[str | None, str]:
        if tag in PLAIN_TAGS:
            return tag, f"<{tag}>"
        if tag in UNWRAPPED_TAGS:
            return None, ""
        if tag == "span" and values.get("class") == "tg-spoiler":
            return "tg-spoiler", "<tg-spoiler>"
        if tag == "blockquote":
            return tag, "<blockquote expandable>" if "expandable" in values else "<blockquote>"
        if tag == "a":
            href = values.get("href", "").strip()
            if not href.lower().startswith(LINK_SCHEMES):
                raise InvalidFormatting(Flaw.LINK, href[:60] or "(no address)")
            return tag, f'<a href="{html.escape(href, quote=True)}">'
        if tag == "code":
            return tag, self._code(values.get("class", ""))
        raise InvalidFormatting(Flaw.TAG, f"<{tag}>")

    def _code(self, css_class: str) -> str:
        """PTB writes a code block's language as `class="python"`; Telegram wants
        `class="language-python"`, and only on a <code> right inside <pre>."""
        language = css_class.removeprefix("language-")
        in_pre = bool(self.open_tags) and self.open_tags[-1][0] == "pre"
        if in_pre and _LANGUAGE.fullmatch(language):
            return f'<code class="language-{language}">'
        return "<code>"
