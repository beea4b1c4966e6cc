"""Use cases. Each public method owns its transaction; nothing here knows Telegram."""
