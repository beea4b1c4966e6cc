"""Log lines never show the bot token: neither in the message nor in a traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import RedactingFormatter

TOKEN = "123456789:AAH-secret-token_value"
PASSWORD = "s3cr3t-db-pass"


@pytest.fixture
def log_output() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose records are written, through the formatter, into a string buffer."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(RedactingFormatter([TOKEN, PASSWORD, "", "ab"], fmt="%(message)s"))
    logger = logging.getLogger(f"tests.logs.{id(output)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield logger, output
    finally:
        logger.removeHandler(handler)


def test_message_with_token_is_redacted(log_output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, output = log_output

    logger.info("GET https://api.telegram.org/bot%s/getMe", TOKEN)

    assert output.getvalue() == "GET https://api.telegram.org/bot***/getMe\n"


def test_traceback_with_token_is_redacted(log_output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, output = log_output

    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except ConnectionError:
        logger.exception("polling failed for %s", TOKEN)

    text = output.getvalue()
    assert TOKEN not in text
    assert text.startswith("polling failed for ***\nTraceback")
    assert "ConnectionError: cannot reach https://api.telegram.org/bot***/getUpdates" in text


def test_database_password_is_redacted(log_output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, output = log_output

    logger.warning("connecting to postgresql://bot:%s@db/symposium", PASSWORD)

    assert output.getvalue() == "connecting to postgresql://bot:***@db/symposium\n"


def test_one_or_two_characters_and_empty_strings_are_not_replaced_everywhere(
    log_output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = log_output

    logger.info("ab and an empty secret change nothing")

    assert output.getvalue() == "ab and an empty secret change nothing\n"


# --- redaction by field name: a short secret is caught where it stands, not by its length ----
SHORT = "k3Yq"  # a 4-character WEBHOOK_SECRET, as Telegram allows (1-256 characters)


@pytest.fixture
def short_secret_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(RedactingFormatter([TOKEN, SHORT, "7"], fmt="%(message)s"))
    logger = logging.getLogger(f"tests.logs.short.{id(output)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield logger, output
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # PTB's DEBUG line for setWebhook: a dict's repr
        (
            "Calling Bot API endpoint `setWebhook` with parameters "
            "`{'url': 'https://bot.example/hook', 'secret_token': 'z9', 'max_connections': 40}`",
            "Calling Bot API endpoint `setWebhook` with parameters "
            "`{'url': 'https://bot.example/hook', 'secret_token': '***', 'max_connections': 40}`",
        ),
        ('{"secret_token": "z9", "url": "x"}', '{"secret_token": "***", "url": "x"}'),
        ("Settings(webhook_secret='z9', port=1)", "Settings(webhook_secret='***', port=1)"),
        ("GET /hook?secret_token=z9&x=1 HTTP/1.1", "GET /hook?secret_token=***&x=1 HTTP/1.1"),
        ("X-Telegram-Bot-Api-Secret-Token: z9", "X-Telegram-Bot-Api-Secret-Token: ***"),
        ("password=hunter2 user=bot", "password=*** user=bot"),
        (
            "{'api_key': 'q', 'Authorization': 'Bearer abc'}",
            "{'api_key': '***', 'Authorization': '***'}",
        ),
        ("{'secret_token': None}", "{'secret_token': None}"),  # unset is worth seeing
    ],
)
def test_values_of_secret_fields_are_redacted_whatever_their_length(
    log_output: tuple[logging.Logger, io.StringIO], line: str, expected: str
) -> None:
    logger, output = log_output

    logger.debug("%s", line)

    assert output.getvalue() == expected + "\n"


def test_a_short_configured_secret_is_redacted_where_it_stands_alone(
    short_secret_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = short_secret_log

    logger.info("header was %s, expected k3Yq2 or xk3Yq; 7 updates, 17 users", SHORT)

    # A whole word equal to a short secret goes; longer words that contain it stay, and a
    # one- or two-character secret is left to the field names (else every "7" would go).
    assert output.getvalue() == "header was ***, expected k3Yq2 or xk3Yq; 7 updates, 17 users\n"
