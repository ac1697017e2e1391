"""Deterministic demo data: two tenants, agents, queues, customers and three months of history."""
