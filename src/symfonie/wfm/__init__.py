"""Workforce management: the ``symfonie wfm`` command line (the formulas are in the domain)."""
