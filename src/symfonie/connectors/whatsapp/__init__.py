"""WhatsApp Business Cloud API: webhook (inbound.py) and send API (sender.py)."""
