"""The domain core: pure Python (standard library and numpy only).

Routing, Erlang, simulation, forecasting and KPI formulas live here, importable and testable
without a database. Time comes from an injected clock, never from ``now()``. The import-linter
contract in ``make lint`` keeps Django and the Symfonie apps out.
"""
