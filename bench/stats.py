"""Figures from raw samples: nearest-rank percentiles and the min/median/max over rounds.

Nearest rank (no interpolation) so that a p99 is a latency some call really had.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank q-quantile (0 < q <= 1) of an ascending sequence; nan when empty."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_figures(seconds: Iterable[float]) -> dict[str, float]:
    """p50/p90/p99/max in milliseconds of latencies given in seconds."""
    ordered = sorted(seconds)
    return {name: _ms(percentile(ordered, q)) for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0))}


def spread(values: Iterable[float | None]) -> dict[str, float] | None:
    """min/median/max of one figure over rounds (None values, e.g. a skipped point, left out)."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return None
    return {"min": min(present), "median": statistics.median(present), "max": max(present)}


def _ms(value: float) -> float:
    return value if math.isnan(value) else round(value * 1000, 3)
