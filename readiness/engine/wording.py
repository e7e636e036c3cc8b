"""How numbers read in the engine's sentences: rounded the way a duty officer says them."""

from __future__ import annotations

import math


def days(value: float) -> str:
    """'6 days', '1.5 days', '1 day'; whole days from 10 on."""
    if math.isinf(value):
        return "never" if value > 0 else "no time"
    v = abs(value)
    text = f"{v:.0f}" if v >= 10 else f"{v:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def people(value: float) -> str:
    """'2,025 people', '1 person' (expected numbers rounded to the nearest person)."""
    n = round(value)
    return "1 person" if n == 1 else f"{n:,} people"


def number(value: float) -> str:
    """A plain figure with at most one decimal: '55', '47.3'."""
    if math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return f"{value:.1f}".removesuffix(".0")


def seats(value: float) -> str:
    """'80 seats/day'."""
    return f"{number(value)} seats/day"


def mode(value: str) -> str:
    """'commercial_air' -> 'commercial air'."""
    return str(value).replace("_", " ")


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
