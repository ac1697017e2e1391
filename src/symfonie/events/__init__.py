"""The append-only event log, its schemas, live fan-out and the webhook outbox."""
