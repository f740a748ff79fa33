"""The claims bench's figures from the drivers' raw results, its Markdown tables, and the
README rewrite between the claims markers (on a temporary copy)."""
from __future__ import annotations

import json

import pytest

from bench import claims, claims_report
from bench.__main__ import benches
from bench.claim_driver import STEPS


def raw(driver: int, claims_done: int, finished_at: float, slow_submit_s: float = 0.05) -> dict:
    """One driver's round as claim_driver.drive reports it: every call 20 ms, one SubmitClaim slower."""
    latencies = {step: [0.02] * claims_done for step in STEPS}
    latencies["SubmitClaim"][-1] = slow_submit_s
    return {"driver": driver, "claims": claims_done, "failed": {}, "retries": {"ApproveClaim": 1},
            "started_at": 100.0, "finished_at": finished_at, "latencies_s": latencies,
            "claim_latencies_s": [0.2] * claims_done, "last_claim_state": "CLAIM_STATE_PAID"}


def cpu(benefits_s: float) -> dict:
    return {"benefits": {"server_cpu_s": benefits_s, "server_cores": 0.1, "machine_busy": 0.5},
            "membership": {"server_cpu_s": 0.5, "server_cores": 0.05, "machine_busy": 0.5}}


@pytest.fixture
def result() -> dict:
    rounds = [
        # 3 + 2 claims; the last answer 10 s after the start: 0.5 claims/s, 40 calls / 10 s = 4 calls/s, /400 = 0.01
        claims.round_figures(1, [raw(0, 3, 110.0), raw(1, 2, 105.0)], cpu(1.0), 400.0),
        # 4 + 4 claims in 10 s: 0.8 claims/s, 64 calls: 6.4 calls/s, /320 = 0.02
        claims.round_figures(2, [raw(0, 4, 110.0), raw(1, 4, 109.0)], cpu(1.6), 320.0),
        # 3 + 3 claims in 10 s: 0.6 claims/s, 48 calls: 4.8 calls/s, /480 = 0.01
        claims.round_figures(3, [raw(0, 3, 108.0), raw(1, 3, 110.0)], cpu(1.5), 480.0),
    ]
    return {"bench": "claims", "started_at": "2026-12-02T10:00:00+0000", "seconds": 150.0, "program": "JKK",
            "steps_order": list(STEPS), "drivers": 2, **claims.summarise(rounds), "rounds": rounds,
            "conditions": {"database": "sqlite", "durability": {"journal_mode": "wal", "synchronous": "NORMAL"},
                           "cpu_count": 2, "python": "3.11.7", "grpcio": "1.85.1",
                           "git": {"revision": "0123456789abcdef", "dirty": True}, "service_thread_pool_size": 16,
                           "drivers": 2, "rounds": 3, "seconds_per_round": 10.0, "calls_per_claim": 8,
                           "seeded": {"workers": 200}}}


def test_a_round_counts_claims_calls_and_cpu_per_claim(result):
    first = result["rounds"][0]
    assert (first["claims"], first["elapsed_s"], first["claims_per_s"], first["calls_per_s"]) == (5, 10.0, 0.5, 4.0)
    assert first["ratio"] == 0.01 and first["retries"] == {"ApproveClaim": 2}
    assert first["cpu_ms_per_claim"] == {"benefits": 200.0, "membership": 100.0}  # 1.0 s and 0.5 s of CPU / 5 claims


def test_the_tables_give_medians_and_ranges_over_the_rounds(result):
    table = claims_report.render_claims(result)
    assert table.startswith("| drivers | claims/s | calls/s | reference SubmitClaim calls/s | ratio |")
    # claims/s 0.5, 0.8, 0.6 -> median 0.6; calls/s 4.0, 6.4, 4.8 -> 4.8; reference 400, 320, 480 -> 400;
    # ratio 0.01, 0.02, 0.01 -> 0.01; every claim took 200 ms.
    assert ("| 2 | 0.60 (0.50-0.80) | 4.8 (4.0-6.4) | 400 (320-480) | 0.010x (0.010-0.020) "
            "| 200.0 (200.0-200.0) | 200.0 (200.0-200.0) |") in table
    # SubmitClaim: 20 ms but the last of each driver at 50 ms; p99 by nearest rank is the slowest call.
    assert "| SubmitClaim | 20.00 (20.00-20.00) | 50.00 (50.00-50.00) |" in table
    assert "| MarkPaymentOrderPaid | 20.00 (20.00-20.00) | 20.00 (20.00-20.00) |" in table
    assert [line.split(" |")[0] for line in table.splitlines() if line.startswith("| ") and "ms" not in line
            and "drivers" not in line][1:] == [f"| {step}" for step in STEPS]
    # benefits' CPU: 1.0 s / 5, 1.6 s / 8, 1.5 s / 6 claims = 200, 200, 250 ms;
    # membership's 0.5 s / 5, 8, 6 claims = 100, 62.5, 83.33 ms.
    assert "CPU per claim (ms): benefits 200.00 (200.00-250.00), membership 83.33 (62.50-100.00)." in table
    assert "sqlite (journal_mode wal, synchronous NORMAL); relay and consumers on; 2 CPUs" in table
    assert "git 0123456789 (uncommitted changes);" in table and "Note:" not in table


def test_failed_claims_are_noted(result):
    result["failed"] = 3
    assert "Note: 3 claims failed over the rounds" in claims_report.render_claims(result)


def test_the_readme_section_between_the_claims_markers_is_rewritten(result, tmp_path, capsys):
    results = tmp_path / "claims-latest.json"
    results.write_text(json.dumps(result))
    readme = tmp_path / "README.md"
    readme.write_text("# Jamsos\n<!-- bench:requests:start -->\nrequests table\n<!-- bench:requests:end -->\n"
                      "## Claims\n<!-- bench:claims:start -->\nold figures\n<!-- bench:claims:end -->\nafter\n")
    assert claims_report.main(["--results", str(results), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "old figures" not in text and "requests table" in text and text.endswith("<!-- bench:claims:end -->\nafter\n")
    assert "<!-- bench:claims:start -->\n| drivers | claims/s |" in text
    assert "rewritten" in capsys.readouterr().out


def test_a_readme_without_the_claims_markers_is_refused(result, tmp_path):
    results = tmp_path / "claims-latest.json"
    results.write_text(json.dumps(result))
    readme = tmp_path / "README.md"
    readme.write_text("# Jamsos\n")
    with pytest.raises(SystemExit, match="bench:claims:start"):
        claims_report.main(["--results", str(results), "--readme", str(readme)])
    assert readme.read_text() == "# Jamsos\n"


def test_the_claims_bench_is_registered_with_its_options():
    assert benches()["claims"] is claims
    import argparse

    parser = argparse.ArgumentParser()
    claims.add_arguments(parser)
    args = parser.parse_args(["--claims-drivers", "3", "--claims-db", "postgres"])
    assert claims.sizes_of(args).drivers == 3 and claims.sizes_of(args).rounds == claims.SHORT.rounds
    with pytest.raises(SystemExit):
        claims.sizes_of(parser.parse_args(["--claims-drivers", "17"]))
