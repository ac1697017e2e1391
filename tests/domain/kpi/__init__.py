"""Tests of the KPI definitions (symfonie.domain.kpi) and the bank-file mapping."""
