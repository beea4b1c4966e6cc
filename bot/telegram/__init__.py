"""The seam between python-telegram-bot and our services: context, replies, errors."""
