"""Tenants (opdrachtgevers), users, their roles per tenant, API tokens and SLA policies."""
