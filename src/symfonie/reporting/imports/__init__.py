"""Imports of historical contacts: the Anonymous Bank call records and a generic CSV."""
