"""`make demo` end to end: scripts/demo.py against the platform started exactly as `make run`
starts it, twice (it is re-runnable against the same platform), through the real broker."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.e2e.platform_runs import ROOT, start_platform


def run_demo(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.mark.rule("C-5", "C-6", "C-7", "C-8", "O-4", "B-JHT-1", "B-JKK-1")
def test_the_demo_runs_against_a_started_platform_and_again_against_the_same_one(tmp_path):
    platform = start_platform(tmp_path)
    try:
        platform.wait_for_banner()
        first = run_demo(platform.env)
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
        out = first.stdout
        for heading in range(1, 11):
            assert f"\n== {heading}. " in out
        assert "KC-DEMO-UTARA" in out and "KC-DEMO-SELATAN" in out and "KW-DEMO" in out
        assert re.search(r"run COMPLETED, (\d+) of \1 employers", out)
        assert "Late-payment penalties (C-6)" in out and "PAID" in out
        assert "rule O-4 not met [SAME_PERSON]" in out
        assert "JHT postings" in out and "Employers of KC-DEMO-SELATAN in arrears" in out
        assert "contributions settled the JHT balance: payment order" in out and "TOTAL_DISABILITY_PERIODIC" in out
        assert out.rstrip().endswith("Demo complete.")
        second = run_demo(platform.env)
        assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    finally:
        code = platform.stop()
    assert code == 0, platform.output()[-3000:]
