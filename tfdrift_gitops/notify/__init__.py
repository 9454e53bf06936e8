"""Notifications: Slack, Discord and a signed generic webhook, delivered with retries."""
