"""Telegram Bot API connector (webhook inbound; see ``inbound`` and ``files``)."""
