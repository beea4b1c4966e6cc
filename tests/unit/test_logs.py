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
    handler.setFormatter(RedactingFormatter([TOKEN, PASSWORD, "", "abc"], fmt="%(message)s"))
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


def test_short_strings_are_not_treated_as_secrets(
    log_output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = log_output

    logger.info("abc and an empty secret change nothing")

    assert output.getvalue() == "abc and an empty secret change nothing\n"
