"""SMS through a Twilio-compatible provider: form-encoded webhooks and the Messages API."""
