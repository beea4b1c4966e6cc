"""Logging set-up that keeps secrets (the bot token, database passwords, the webhook secret)
out of every line.

Two rules, applied to the finished line (tracebacks included):

- **By field name**: the value of any field whose name says it is a secret (`secret_token`,
  `token`, `password`, `api_key`, `Authorization`, `…_secret`…) is replaced, in the forms
  log lines carry: a dict's or JSON's `'key': 'value'`, `key='value'`, `key=value` (query
  strings, settings) and `Key: value` (headers). This is what catches a short secret, such
  as a 4-character WEBHOOK_SECRET in the DEBUG line PTB writes for `setWebhook`.
- **By value**: each configured secret is replaced wherever it appears when it has at least
  `ANYWHERE_LENGTH` characters (a token inside a URL); a shorter one (3–5 characters) only
  where it stands as a whole word, so "abc" does not eat "abcdef"; a secret of one or two
  characters is left to the field names, since replacing every "a" or "7" of every line
  would leave the log unreadable while such a secret is guessable anyway.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"
ANYWHERE_LENGTH = 6  # a configured secret this long is replaced even inside other text
WORD_LENGTH = 3  # shorter ones: only as a whole word; under this: only by field name

# Field names whose values are secrets: matched anywhere in the name, case-insensitively
# (`secret_token`, `webhook_secret`, `X-Telegram-Bot-Api-Secret-Token`, `access_token`).
_SECRET_NAME = r"[\w-]*(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|authorization)[\w-]*"
# Values not worth hiding (and worth seeing: an unset secret explains a failure).
_PLAIN = {"none", "null", "true", "false", ""}
_QUOTED = re.compile(
    rf"""(?P<key>(?P<q>['"]){_SECRET_NAME}(?P=q)\s*[:=]\s*|\b{_SECRET_NAME}\s*=\s*)"""
    r"""(?P<open>['"])(?P<value>.*?)(?<!\\)(?P=open)""",
    re.IGNORECASE,
)
_BARE = re.compile(
    rf"""(?P<key>\b{_SECRET_NAME}(?:\s*=\s*|:[ \t]*))(?P<value>[^\s'"&,;)\]}}]+)""",
    re.IGNORECASE,
)
_WORD = r"(?<![A-Za-z0-9_-]){}(?![A-Za-z0-9_-])"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without the values of secret fields nor the given secrets (rules above)."""
    for secret in sorted({s for s in secrets if len(s) >= WORD_LENGTH}, key=len, reverse=True):
        if len(secret) >= ANYWHERE_LENGTH:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(_WORD.format(re.escape(secret)), MASK, text)
    text = _QUOTED.sub(_mask_quoted, text)
    return _BARE.sub(_mask_bare, text)


def _mask_quoted(found: re.Match[str]) -> str:
    if found["value"].lower() in _PLAIN:
        return found[0]
    return f"{found['key']}{found['open']}{MASK}{found['open']}"


def _mask_bare(found: re.Match[str]) -> str:
    if found["value"].lower() in _PLAIN or found["value"] == MASK:
        return found[0]
    return f"{found['key']}{MASK}"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks secrets, tracebacks included (exceptions carry URLs)."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
