"""The contact life cycle, as a pure state machine."""
