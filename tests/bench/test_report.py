"""`python -m bench.report`: the Markdown table from a results file, and the README rewrite."""
from __future__ import annotations

import json

import pytest

from bench import report
from bench.__main__ import benches, main
from bench.people import person
from bench.request_figures import aggregate, summarise_operation
from services.membership.domain.nik import validate_nik_against


def figures(achieved: float, p50: float, p99: float, **extra) -> dict:
    """One side of one point as the load generator reports it (only what the report reads)."""
    return {"achieved_per_s": achieved, "latency_ms": {"p50": p50, "p90": p99, "p99": p99, "max": p99},
            "service_time_ms": {"p50": p50, "p99": p99}, "send_lag_ms": {"p99": 0.1, "max": 0.2},
            "client_cpu": 0.1, "machine_busy": 0.5, "server_cpu_ms_per_call": 1.0, "sent": int(achieved),
            "errors": {}, "client_limited": False, **extra}


def a_round(number: int, service_p99: float, service_saturation: float, reference_saturation: float) -> dict:
    return {"round": number,
            "points": [{"offered_per_s": 100.0, "service": figures(100, 1.0, service_p99), "reference": figures(100, 0.4, 0.5)},
                       {"offered_per_s": 500.0, "service": {"skipped": "overloaded at 200/s"},
                        "reference": figures(500, 0.4, 0.6)}],
            "saturation": {"service": figures(service_saturation, 8, 20, throughput_per_s=service_saturation),
                           "reference": figures(reference_saturation, 2, 5, throughput_per_s=reference_saturation)}}


@pytest.fixture
def results_file(tmp_path):
    rounds = [a_round(1, 2.0, 100, 500), a_round(2, 4.0, 150, 500), a_round(3, 3.0, 125, 500)]
    result = {
        "bench": "requests", "started_at": "2026-12-02T10:00:00+0000", "seconds": 180.0,
        "operations": {"GetWorker": summarise_operation("membership", "/m/GetWorker", rounds)},
        "scale_out": {"skipped": "two membership replicas need one shared database: run with --requests-db postgres"},
        "conditions": {"database": "sqlite", "durability": {"journal_mode": "wal", "synchronous": "NORMAL"},
                       "cpu_count": 2, "python": "3.11.7", "grpcio": "1.85.1",
                       "git": {"revision": "0123456789abcdef", "dirty": False}, "service_thread_pool_size": 16,
                       "load_generator_processes": 2, "rounds": 3, "seconds_per_point": 2.0, "saturation": "closed",
                       "closed_loop_concurrency": 32, "seeded": {"workers": 1000}},
    }
    path = tmp_path / "requests-latest.json"
    path.write_text(json.dumps(result))
    return path


def test_the_table_gives_medians_ranges_and_the_saturation_ratio(results_file, capsys):
    assert report.main(["--results", str(results_file)]) == 0
    table = capsys.readouterr().out
    assert table.startswith("| operation | offered /s | achieved /s | p50 ms | p99 ms | reference p99 ms |")
    # p99 over the rounds 2, 4, 3 ms: median 3, range 2-4.
    assert "| GetWorker | 100 | 100.0 | 1.00 | 3.00 (2.00-4.00) | 0.50 | | |" in table
    assert "| GetWorker | 500 | not measured (overloaded at 200/s) | - | - | 0.60 | | |" in table
    # Saturation 100, 150, 125 /s against 500: ratios 0.20, 0.30, 0.25, median 0.25.
    assert "| GetWorker | saturation | 125 | 8.00 | 20.00 (20.00-20.00) | 5.00 | 125 (500) | 0.25x (0.20-0.30) |" in table
    assert "Conditions: sqlite (journal_mode wal, synchronous NORMAL); relay and consumers on; 2 CPUs" in table
    assert "git 0123456789;" in table
    assert "Scale-out: not measured (two membership replicas need one shared database" in table


def test_errors_are_summed_over_the_rounds_beside_the_achieved_rate():
    side = aggregate([figures(90, 1, 9, errors={"DEADLINE_EXCEEDED": 2}), figures(80, 1, 9, errors={"DEADLINE_EXCEEDED": 3}),
                      {"skipped": "overloaded at 100/s"}])
    assert side["errors"] == {"DEADLINE_EXCEEDED": 5} and side["rounds_measured"] == 2  # 2 + 3
    assert side["achieved_per_s"] == {"min": 80, "median": 85.0, "max": 90}


def test_the_readme_rewrite_replaces_only_the_marked_section(results_file, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Jamsos\nintro\n{report.START}\nold table\n{report.END}\nafter\n")
    report.main(["--results", str(results_file), "--readme", str(readme)])
    text = readme.read_text()
    assert text.startswith(f"# Jamsos\nintro\n{report.START}\n| operation |")
    assert text.endswith(f"\n{report.END}\nafter\n") and "old table" not in text
    once = text
    report.main(["--results", str(results_file), "--readme", str(readme)])
    assert readme.read_text() == once


def test_a_readme_without_the_markers_is_refused_untouched(results_file, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Jamsos\n")
    with pytest.raises(SystemExit):
        report.main(["--results", str(results_file), "--readme", str(readme)])
    assert readme.read_text() == "# Jamsos\n"


def test_every_bench_is_registered_and_the_billing_ones_still_are():
    assert {"requests", "billing", "bank_files"} <= set(benches())
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-bench"])
    assert exit_.value.code == 2


def test_the_bench_people_have_distinct_valid_niks():
    people = [person(n) for n in range(0, 30_000, 7)]
    assert len({p.nik for p in people}) == len(people)
    for p in people[::500]:
        validate_nik_against(p.nik, p.birth_date, p.sex)  # raises on a NIK that does not match
