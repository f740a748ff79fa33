"""The open-loop saturation search (--requests-saturation step) against a fake server model.

No server: each "point" answers what a server with a fixed capacity would, so the search's
steps and its answer can be computed by hand.
"""
from __future__ import annotations

import argparse

import pytest

from bench import request_path


def bench_with_capacity(monkeypatch, capacity: float) -> request_path.Bench:
    parser = argparse.ArgumentParser()
    request_path.add_arguments(parser)
    bench = request_path.Bench(parser.parse_args(["--requests-saturation", "step", "--requests-seconds", "1"]))

    def point(generator, target, source, load, idle, measured):
        kept = load.rate <= capacity
        return {"offered_per_s": load.rate, "achieved_per_s": min(load.rate, capacity), "errors": {},
                "latency_ms": {"p99": 5.0 if kept else 900.0}}

    monkeypatch.setattr(bench, "_point", point)
    return bench


def offered(result: dict) -> list[float]:
    return [round(s["offered_per_s"], 1) for s in result["steps"]]


def test_steps_up_from_the_highest_fixed_rate_until_one_is_not_kept(monkeypatch):
    bench = bench_with_capacity(monkeypatch, capacity=800)
    result = bench._saturation(None, None, None, [], [])
    # 500 kept, 750 kept, 1125 (> 800) not: the saturation is 750, the last rate kept.
    assert offered(result) == [500, 750, 1125]
    assert result["throughput_per_s"] == 750


@pytest.mark.parametrize("capacity, steps, throughput", [
    (300, [500, 333.3, 222.2, 333.3], 222.2),  # 500 and 333.3 not kept, 222.2 kept, 333.3 again not
])
def test_steps_down_when_the_highest_fixed_rate_is_not_kept(monkeypatch, capacity, steps, throughput):
    result = bench_with_capacity(monkeypatch, capacity)._saturation(None, None, None, [], [])
    assert offered(result) == steps
    assert round(result["throughput_per_s"], 1) == throughput
