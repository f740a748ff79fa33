"""The request-path bench's PNG: p99 latency against offered rate, service against reference.

One panel per operation; each point is the median of the rounds with a bar from min to
max; the saturation point sits at the throughput reached. matplotlib is imported here
only (the `bench` extra, which `make bench` installs): without it the plot is skipped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

DURABILITY_SHOWN = ("fsync", "synchronous_commit", "journal_mode", "synchronous")


def plot_latency(result: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter, ScalarFormatter
    except ImportError:
        print(f"matplotlib is not installed (pip install -e '.[bench]'): {path.name} not drawn")
        return None
    from bench.report import operations_in_order

    operations = operations_in_order(result)
    columns = min(3, len(operations)) or 1
    rows = -(-len(operations) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.8 * rows), squeeze=False)
    for ax, (name, op) in zip(axes.flat, operations, strict=False):
        for side, colour in (("service", "tab:red"), ("reference", "tab:blue")):
            rates = [p["offered_per_s"] for p in op["points"]]
            p99 = [p[side]["latency_ms"]["p99"] if "latency_ms" in p[side] else None for p in op["points"]]
            _line(ax, rates, p99, colour, f"{side} p99")
            saturation = op["saturation"][side]
            if saturation["throughput_per_s"] and saturation["latency_ms"]["p99"]:
                _line(ax, [saturation["throughput_per_s"]["median"]], [saturation["latency_ms"]["p99"]], colour,
                      f"{side} at saturation", marker="*", size=12)
        ax.set_title(name)
        ax.set_xlabel("offered calls/s (saturation: throughput)")
        ax.set_ylabel("p99 latency, ms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(ScalarFormatter())
            axis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(operations):]:
        ax.set_visible(False)
    c = result["conditions"]
    durability = ", ".join(f"{k} {v}" for k, v in c["durability"].items() if k in DURABILITY_SHOWN)
    figure.suptitle(f"{c['database']} ({durability}), relay and consumers on, {c['cpu_count']} CPUs, "
                    f"git {str((c.get('git') or {}).get('revision'))[:10]}; open loop, latency from the intended send "
                    f"time; median of {c['rounds']} rounds (bars: min-max)", fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _line(ax: Any, xs: list[float], spreads: list[dict[str, float] | None], colour: str, label: str,
          marker: str = "o", size: int = 5) -> None:
    points = [(x, s) for x, s in zip(xs, spreads, strict=True) if s]
    if not points:
        return
    medians = [s["median"] for _, s in points]
    below = [s["median"] - s["min"] for _, s in points]
    above = [s["max"] - s["median"] for _, s in points]
    ax.errorbar([x for x, _ in points], medians, yerr=[below, above], color=colour, marker=marker, markersize=size,
                capsize=3, label=label, linestyle="-" if len(points) > 1 else "none")
