"""The agent workspace: presence, offers, conversations in tabs, timeline, wrap-up."""
