"""Telegram channel: python-telegram-bot handlers that translate updates to core calls and back."""
