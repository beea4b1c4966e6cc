"""A strict fake Telegram Bot API server, so tests and the playground never touch Telegram."""
