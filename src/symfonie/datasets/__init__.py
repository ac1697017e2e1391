"""Readers of published reference data sets (standard library only, no Django)."""
