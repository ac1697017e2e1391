"""Workforce management: Erlang queueing formulas and staffing (pure, no I/O, no Django).

* :mod:`~symfonie.domain.wfm.erlang` — Erlang B and Erlang C for one interval;
* :mod:`~symfonie.domain.wfm.erlang_a` — Erlang A (M/M/N+M, impatient callers), exact;
* :mod:`~symfonie.domain.wfm.staffing` — fewest agents meeting a target, vectorised over
  intervals, with shrinkage and chat concurrency (searches in :mod:`~symfonie.domain.wfm.search`,
  targets in :mod:`~symfonie.domain.wfm.targets`);
* :mod:`~symfonie.domain.wfm.simulate` — discrete-event simulation of a contact center with
  replications and confidence intervals (model in :mod:`~symfonie.domain.wfm.sim_model`, the
  engines in :mod:`~symfonie.domain.wfm.sim_events` and :mod:`~symfonie.domain.wfm.sim_fifo`,
  durations in :mod:`~symfonie.domain.wfm.distributions`);
* :mod:`~symfonie.domain.wfm.forecast` — daily volume, intraday profile and handle time per
  series, methods chosen by rolling-origin backtest (statsmodels; ``docs/wfm-forecasting.md``);
* :mod:`~symfonie.domain.wfm.schedule` — shift schedules with breaks, Working Hours Act limits
  and home/office seats (OR-Tools CP-SAT; ``docs/wfm-schedules.md``).

Formulas and their sources: ``docs/wfm.md``.
"""
