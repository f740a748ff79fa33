"""The request-path bench's figures over rounds: min/median/max of each, and the saturation ratio."""
from __future__ import annotations

from collections import Counter
from typing import Any

from bench.stats import spread


def summarise_operation(service: str, method: str, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """min/median/max over rounds of each point's figures, and the saturation ratio."""
    points = []
    for index, first in enumerate(rounds[0]["points"]):
        points.append({"offered_per_s": first["offered_per_s"],
                       **{side: aggregate([r["points"][index][side] for r in rounds]) for side in ("service", "reference")}})
    saturation: dict[str, Any] = {side: aggregate([r["saturation"][side] for r in rounds])
                                  for side in ("service", "reference")}
    for side in ("service", "reference"):
        saturation[side]["throughput_per_s"] = spread(r["saturation"][side]["throughput_per_s"] for r in rounds)
    saturation["ratio"] = spread(ratio(r["saturation"]["service"]["throughput_per_s"],
                                       r["saturation"]["reference"]["throughput_per_s"]) for r in rounds)
    return {"service": service, "method": method, "points": points, "saturation": saturation, "rounds": rounds}


def aggregate(all_figures: list[dict[str, Any]]) -> dict[str, Any]:
    """One side of one point over the rounds that measured it."""
    figures = [f for f in all_figures if "skipped" not in f]
    if not figures:
        return {"skipped": all_figures[0]["skipped"], "rounds_measured": 0}
    errors: Counter[str] = Counter()
    for f in figures:
        errors.update(f["errors"])
    return {
        "achieved_per_s": spread(f["achieved_per_s"] for f in figures),
        "latency_ms": {q: spread(f["latency_ms"][q] for f in figures) for q in ("p50", "p90", "p99", "max")},
        "service_time_ms": {q: spread(f["service_time_ms"][q] for f in figures) for q in ("p50", "p99")},
        "send_lag_ms": {q: spread(f["send_lag_ms"][q] for f in figures) for q in ("p99", "max")},
        "server_cpu_ms_per_call": spread(f.get("server_cpu_ms_per_call") for f in figures),
        "client_cpu": spread(f["client_cpu"] for f in figures),
        "machine_busy": spread(f.get("machine_busy") for f in figures),
        "sent": sum(f["sent"] for f in figures), "errors": dict(sorted(errors.items())),
        "client_limited_rounds": sum(1 for f in figures if f["client_limited"]),
        "rounds_measured": len(figures),
    }


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None
