"""Customers, their identities on every channel, contacts, messages, cases, tasks and notes:
one customer, one timeline."""
