"""`python -m bench.report`: the request-path bench's latest results as a Markdown table.

    python -m bench.report                      # print the table of bench/results/requests-latest.json
    python -m bench.report --readme README.md   # and put it between the README's bench markers
    python -m bench.report --plot               # and draw bench/results/requests-latency.png again

Each figure is the median of the rounds; p99 and the ratio also give (min-max).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.results import RESULTS, latest_path

START, END = "<!-- bench:requests:start -->", "<!-- bench:requests:end -->"
HEADER = ("| operation | offered /s | achieved /s | p50 ms | p99 ms | reference p99 ms "
          "| saturation /s (reference) | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|")


def render(result: dict[str, Any]) -> str:
    """The table, then one line of conditions and one of scale-out."""
    rows = [HEADER]
    limited = 0
    for name, op in operations_in_order(result):
        for point in op["points"]:
            service, reference = point["service"], point["reference"]
            limited += service.get("client_limited_rounds", 0) + reference.get("client_limited_rounds", 0)
            if "skipped" in service:
                rows.append(f"| {name} | {point['offered_per_s']:g} | not measured ({service['skipped']}) | - | - "
                            f"| {_median(reference['latency_ms']['p99'])} | | |")
                continue
            rows.append(f"| {name} | {point['offered_per_s']:g} | {_median(service['achieved_per_s'], 1)}{_errors(service)} "
                        f"| {_median(service['latency_ms']['p50'])} | {_with_range(service['latency_ms']['p99'])} "
                        f"| {_median(reference['latency_ms']['p99'])} | | |")
        saturation = op["saturation"]
        service, reference = saturation["service"], saturation["reference"]
        rows.append(f"| {name} | saturation | {_median(service['throughput_per_s'], 0)}{_errors(service)} "
                    f"| {_median(service['latency_ms']['p50'])} | {_with_range(service['latency_ms']['p99'])} "
                    f"| {_median(reference['latency_ms']['p99'])} "
                    f"| {_median(service['throughput_per_s'], 0)} ({_median(reference['throughput_per_s'], 0)}) "
                    f"| {_with_range(saturation['ratio'], suffix='x')} |")
    lines = ["\n".join(rows), "", conditions_line(result), "", scale_out_line(result.get("scale_out") or {})]
    if limited:
        lines += ["", f"Note: {limited} measurements were limited by the load generator (send lag or its CPU): "
                      "see client_limited in the JSON."]
    return "\n".join(lines)


def operations_in_order(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """As measured (the JSON's keys are sorted)."""
    operations = result["operations"]
    order = [n for n in result.get("operation_order", []) if n in operations]
    return [(n, operations[n]) for n in order + sorted(set(operations) - set(order))]


def conditions_line(result: dict[str, Any]) -> str:
    c = result["conditions"]
    durability = ", ".join(f"{k} {v}" for k, v in c["durability"].items() if k != "server_version")
    git = c.get("git") or {}
    revision = (git.get("revision") or "?")[:10] + (" (uncommitted changes)" if git.get("dirty") else "")
    saturation = ("closed loop, " + f"{c['closed_loop_concurrency']} calls in flight" if c["saturation"] == "closed"
                  else "open loop stepped up")
    return (f"Conditions: {c['database']} ({durability}); relay and consumers on; {c['cpu_count']} CPUs; "
            f"Python {c['python']}, grpcio {c['grpcio']}; git {revision}; thread pool {c['service_thread_pool_size']}; "
            f"{c['load_generator_processes']} load generator processes; {c['rounds']} rounds of "
            f"{c['seconds_per_point']:g} s per point; saturation: {saturation}; {c['seeded']['workers']} workers seeded. "
            f"Latency from the intended send time (open loop); median of the rounds, (min-max). "
            f"Run {result.get('started_at', '?')}, {result.get('seconds', '?')} s.")


def scale_out_line(scale_out: dict[str, Any]) -> str:
    if "skipped" in scale_out or not scale_out:
        return f"Scale-out: not measured ({scale_out.get('skipped', 'no figures')})."
    return (f"Scale-out ({scale_out['operation']}, {scale_out['load']}): one membership replica "
            f"{_median(scale_out['one_replica_per_s'], 0)}/s, two behind client-side round robin "
            f"{_median(scale_out['two_replicas_per_s'], 0)}/s: {_with_range(scale_out['ratio'], suffix='x')}.")


def rewrite_readme(readme: Path, table: str, start_marker: str = START, end_marker: str = END) -> None:
    """Replaces what lies between the bench markers of `readme` (the requests bench's unless
    others are given) by `table`."""
    lines = readme.read_text().splitlines(keepends=True)
    stripped = [line.strip() for line in lines]
    if start_marker not in stripped or end_marker not in stripped or \
            stripped.index(start_marker) > stripped.index(end_marker):
        raise SystemExit(f"{readme} has no {start_marker} ... {end_marker} section")
    start, end = stripped.index(start_marker), stripped.index(end_marker)
    readme.write_text("".join(lines[: start + 1]) + table.rstrip("\n") + "\n" + "".join(lines[end:]))


def _median(figure: dict[str, float] | None, digits: int = 2) -> str:
    if not figure:
        return "-"
    return f"{figure['median']:,.{digits}f}"


def _with_range(figure: dict[str, float] | None, digits: int = 2, suffix: str = "") -> str:
    if not figure:
        return "-"
    return (f"{figure['median']:,.{digits}f}{suffix} ({figure['min']:,.{digits}f}-{figure['max']:,.{digits}f})")


def _errors(side: dict[str, Any]) -> str:
    """Failed calls over all rounds, by gRPC code, beside the achieved rate."""
    return f" ({', '.join(f'{v} {k}' for k, v in side['errors'].items())})" if side["errors"] else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=latest_path("requests"), help="results JSON")
    parser.add_argument("--readme", type=Path, help="rewrite this file's bench:requests section")
    parser.add_argument("--plot", action="store_true", help=f"draw {RESULTS.name}/requests-latency.png again")
    args = parser.parse_args(argv)
    result = json.loads(args.results.read_text())
    table = render(result)
    print(table)
    if args.readme:
        rewrite_readme(args.readme, table)
        print(f"\n{args.readme} rewritten")
    if args.plot:
        from bench.plot import plot_latency

        plot_latency(result, args.results.parent / "requests-latency.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
