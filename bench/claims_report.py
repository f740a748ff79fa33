"""`python -m bench.claims_report`: the claims bench's latest results as Markdown tables.

    python -m bench.claims_report                      # print the tables of bench/results/claims-latest.json
    python -m bench.claims_report --readme README.md   # and put them between the README's claims markers

Each figure is the median of the rounds, with (min-max) beside it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.report import rewrite_readme
from bench.results import latest_path

START, END = "<!-- bench:claims:start -->", "<!-- bench:claims:end -->"
THROUGHPUT = ("| drivers | claims/s | calls/s | reference SubmitClaim calls/s | ratio | claim p50 ms | claim p99 ms |\n"
              "|---:|---:|---:|---:|---:|---:|---:|")
STEPS = "| step | p50 ms | p99 ms |\n|---|---:|---:|"


def render_claims(result: dict[str, Any]) -> str:
    """The throughput table, the per-step latency table, then CPU and conditions lines."""
    t, claim = result["throughput"], result["claim_latency_ms"]
    lines = [THROUGHPUT,
             f"| {result['drivers']} | {_with_range(t['claims_per_s'])} | {_with_range(t['calls_per_s'], 1)} "
             f"| {_with_range(t['reference_calls_per_s'], 0)} | {_with_range(t['ratio'], 3, 'x')} "
             f"| {_with_range(claim['p50'], 1)} | {_with_range(claim['p99'], 1)} |",
             "", STEPS]
    for step in result.get("steps_order") or sorted(result["steps"]):
        figures = result["steps"][step]
        lines.append(f"| {step} | {_with_range(figures['p50'])} | {_with_range(figures['p99'])} |")
    cpu = ", ".join(f"{name} {_with_range(v)}" for name, v in sorted(result["cpu_ms_per_claim"].items()) if v)
    lines += ["", f"CPU per claim (ms): {cpu or '-'}.", "", conditions_line(result)]
    if result.get("failed"):
        lines += ["", f"Note: {result['failed']} claims failed over the rounds: see `failed` in the JSON."]
    return "\n".join(lines)


def conditions_line(result: dict[str, Any]) -> str:
    c = result["conditions"]
    durability = ", ".join(f"{k} {v}" for k, v in c["durability"].items() if k != "server_version")
    git = c.get("git") or {}
    revision = (git.get("revision") or "?")[:10] + (" (uncommitted changes)" if git.get("dirty") else "")
    return (f"Conditions: {result.get('program', 'JKK')} claims, {c['calls_per_claim']} calls each (submit, stage II "
            f"report, documents, assess, approve by a second person, find, approve and pay the payment order); "
            f"{c['database']} ({durability}); relay and consumers on; {c['cpu_count']} CPUs; "
            f"Python {c['python']}, grpcio {c['grpcio']}; git {revision}; thread pool {c['service_thread_pool_size']}; "
            f"{c['drivers']} driver processes, closed loop; {c['rounds']} rounds of {c['seconds_per_round']:g} s; "
            f"{c['seeded']['workers']} workers seeded. Median of the rounds, (min-max). "
            f"Run {result.get('started_at', '?')}, {result.get('seconds', '?')} s.")


def _with_range(figure: dict[str, float] | None, digits: int = 2, suffix: str = "") -> str:
    if not figure:
        return "-"
    return f"{figure['median']:,.{digits}f}{suffix} ({figure['min']:,.{digits}f}-{figure['max']:,.{digits}f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.claims_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=latest_path("claims"), help="results JSON")
    parser.add_argument("--readme", type=Path, help="rewrite this file's bench:claims section")
    args = parser.parse_args(argv)
    table = render_claims(json.loads(args.results.read_text()))
    print(table)
    if args.readme:
        rewrite_readme(args.readme, table, START, END)
        print(f"\n{args.readme} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
