"""`make demo` end to end: scripts/demo.py against the platform started exactly as `make run`
starts it, twice (it is re-runnable against the same platform), through the real broker."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.e2e.platform_runs import ROOT, start_platform

CELL = r"\s*│\s*"  # between two cells of a printed table row


def run_demo(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


def row(*cells: str) -> str:
    """A table row holding these cells side by side, as a pattern."""
    return CELL.join(re.escape(cell) for cell in cells)


def rupiah(text: str) -> int:
    return int(text.removeprefix("Rp").replace(".", ""))


def assert_month_end(out: str) -> None:
    assert "KC-DEMO-UTARA" in out and "KC-DEMO-SELATAN" in out and "KW-DEMO" in out
    assert "UMK of KC-DEMO-UTARA: Rp3.500.000 a month" in out
    assert re.search(r"run COMPLETED, (\d+) of \1 employers", out)
    assert "Late-payment penalties (C-6)" in out and "PAID" in out
    assert "JHT postings" in out and "Employers of KC-DEMO-SELATAN in arrears" in out


def assert_benefits(out: str) -> None:
    # B-JHT-1: Siti's whole balance, 5.7% of Rp6,500,000 posted for the reconciled month, paid out.
    assert re.search(r"payment order \S+ for Rp370\.500 \(her ledger held Rp370\.500\)", out)
    assert re.search(row("state", "PAID"), out) and re.search(row("settled (JHT)", "Rp370.500"), out)
    # B-JKK-3, -6 on Budi's Rp4,800,000 wage: a month of STMB, 70% x 80 months, Rp200,000 for 24 months.
    assert re.search(row("STMB", "B-JKK-3", "1 months x 100% of Rp4,800,000", "", "Rp4.800.000"), out)
    assert re.search(row("TOTAL_DISABILITY", "B-JKK-6", "70% x 80 months x Rp4,800,000", "",
                           "Rp268.800.000"), out)
    assert re.search(row("TOTAL_DISABILITY_PERIODIC", "B-JKK-6", "Rp200.000", "24", "Rp4.800.000"), out)
    assert "approved by demo-kepala-utara: APPROVED, Rp287.500.000" in out


def assert_welfare(out: str) -> None:
    # W-S-1: junior high school, Rp150,000 a month for 12 months; the first payment paid.
    assert "checked: eligible on the ACHIEVEMENT path (W-S-2)" in out
    assert re.search(r"awarded: Rp150\.000 a month, 12 payments from \d{4}-\d\d-01, Rp1\.800\.000 in all", out)
    assert re.search(row("1", "") + r"\d{4}-\d\d-01" + CELL + re.escape("Rp150.000") + CELL + r"\d{4}-\d\d-\d\d"
                     + CELL + "BNI-BEA-", out)
    # W-K-2: 30% of Rp500,000,000 assets; 3% a year flat on Rp120,000,000 over 48 months.
    assert "limit Rp150.000.000 (30% of assets), interest Rp14.400.000, Rp2.800.000 a month (W-K-2)" in out
    assert "agreement signed: 48 instalments of Rp2.800.000" in out
    before, after = re.search(r"disbursed from KW-DEMO's DPKP fund: balance (Rp[\d.]+) -> (Rp[\d.]+)", out).groups()
    assert rupiah(before) - rupiah(after) == 120_000_000
    assert "first instalment repaid: Rp2.800.000 paid, Rp131.600.000 outstanding" in out


@pytest.mark.rule("C-5", "C-6", "C-6a", "C-7", "C-8", "O-4", "B-JHT-1", "B-JKK-1", "B-JKK-3", "B-JKK-6", "W-S-1",
                  "W-S-2", "W-K-2", "W-K-3")
def test_the_demo_runs_against_a_started_platform_and_again_against_the_same_one(tmp_path):
    platform = start_platform(tmp_path)
    try:
        platform.wait_for_banner()
        for run in (1, 2):
            ran = run_demo(platform.env)
            assert ran.returncode == 0, f"run {run}:\n" + ran.stdout[-4000:] + ran.stderr[-2000:]
            out = ran.stdout
            for heading in range(1, 13):
                assert f"\n== {heading}. " in out
            assert out.count("rule O-4 not met [SAME_PERSON]") == 4  # worksheet, scholarship, claim, loan
            assert_month_end(out)
            assert_benefits(out)
            assert_welfare(out)
            assert out.rstrip().endswith("Demo complete.")
    finally:
        code = platform.stop()
    assert code == 0, platform.output()[-3000:]
