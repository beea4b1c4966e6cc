"""Symposium Bot: a multilingual Telegram assistant for media symposiums."""

__version__ = "0.1.0"
