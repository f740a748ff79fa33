"""`make help` (also plain `make`) lists every target a user runs; only the steps other
targets run for them (venv, lint-protos, breaking-protos) are left out."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = {"help", "venv", "lint-protos", "breaking-protos"}


def test_make_help_lists_every_phony_target_but_the_inner_steps():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY:(.+)$", makefile, re.M).group(1).split())
    helped = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    listed = set(re.findall(r"^make ([a-z-]+)\b", helped.stdout, re.M))
    assert listed == phony - STEPS
    plain = subprocess.run(["make", "-s"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert plain.stdout == helped.stdout  # help is the first target
