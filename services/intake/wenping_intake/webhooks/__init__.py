"""Webhooks: integration clients subscribe to project events, delivered through the outbox."""
