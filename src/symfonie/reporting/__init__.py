"""Reporting: KPI settings per tenant, stored KPI tallies per interval, imports of history."""
