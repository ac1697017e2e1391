"""The supervisor wallboard: queues and agents live, full-screen for a TV."""
