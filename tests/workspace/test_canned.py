"""Filling a canned response's variables: known ones replaced, everything else kept as written."""

from __future__ import annotations

import pytest

from symfonie.workspace.canned import fill

VALUES = {"klant": "Truus", "agent": "Anna", "contact": "12", "datum": "01-02-2026"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dag {klant}, groet van {agent}", "Dag Truus, groet van Anna"),
        ("{contact} op {datum}", "12 op 01-02-2026"),
        ("onbekend {x} blijft", "onbekend {x} blijft"),
        ("{klant} {klant}", "Truus Truus"),
        ("losse { en } en {klant", "losse { en } en {klant"),
        ("{{klant}}", "{Truus}"),
        ("{klant.__class__} {0} {}", "{klant.__class__} {0} {}"),
        ("", ""),
    ],
)
def test_fill(text, expected):
    assert fill(text, VALUES) == expected


def test_a_variable_without_a_value_stays_visible():
    assert fill("Beste {klant},", {**VALUES, "klant": ""}) == "Beste {klant},"
