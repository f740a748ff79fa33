"""The two sizes of the fault suite, and where its figures go.

The short size runs in the normal suite (the whole folder in about a minute and a half on
two cores); `JAMSOS_FAULTS_FULL=1` selects the full size (`make soak`): longer outages,
more enrolments, more employers and claims. Figures are printed either way; only a full
run appends them to `bench/results/faults-<date>.jsonl`, so a short run never leaves a
file to commit by mistake.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FULL_ENV = "JAMSOS_FAULTS_FULL"
RUN_DAY = datetime.now(UTC).date()  # one run, one file, even across midnight


@dataclass(frozen=True)
class FaultSize:
    name: str
    outage_seconds: float  # broker dead (case 1)
    steady_seconds: float  # enrolling before the kill, and again after the restart
    offered_per_second: float  # enrolments offered, at a steady rate
    billing_branches: int  # branches with employers (case 2): one job each
    employers_per_branch: int  # > CHUNK_SIZE (500): a job commits several chunks
    workers_per_employer: int
    claims: int  # JHT claims settled across the SIGKILL (case 3), half by events, half by RPC
    soak_seconds: float  # the soak: mixed lookups and enrolments, the broker and a service killed once each
    soak_window_seconds: float  # latency percentiles and memory reported per window (a minute at full size)


SHORT = FaultSize("short", outage_seconds=5, steady_seconds=1.5, offered_per_second=20,
                  billing_branches=4, employers_per_branch=1_100, workers_per_employer=2, claims=160,
                  soak_seconds=30, soak_window_seconds=5)
FULL = FaultSize("full", outage_seconds=30, steady_seconds=10, offered_per_second=25,
                 billing_branches=6, employers_per_branch=3_000, workers_per_employer=4, claims=1_000,
                 soak_seconds=900, soak_window_seconds=60)


def full_size() -> bool:
    return os.environ.get(FULL_ENV) == "1"


def current() -> FaultSize:
    return FULL if full_size() else SHORT


def report(fault: str, figures: dict, short_folder: Path) -> Path:
    """Print one run's figures and append them as a JSON line: to bench/results/ on a
    full run, to `short_folder` (a test's temp folder) on a short one. Returns the file."""
    now = datetime.now(UTC)
    line = {"fault": fault, "size": current().name, "at": now.isoformat(timespec="seconds"),
            "cpus": os.cpu_count(), **figures}
    folder = ROOT / "bench" / "results" if full_size() else short_folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"faults-{RUN_DAY.isoformat()}.jsonl"
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    print(f"\n{fault} ({line['size']} size): " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    return path
