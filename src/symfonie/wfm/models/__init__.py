"""Example simulation models (TOML) for ``symfonie wfm simulate``; see ``docs/wfm.md``."""
