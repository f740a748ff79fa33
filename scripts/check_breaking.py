"""buf breaking against main as it was before this change (wire and JSON compatibility).

CI checks out main with the submission on top, so "main before" is approximated by the
newest commit older than a session (4 hours before HEAD's commit time); failing that,
HEAD~1. Locally, with uncommitted proto edits, HEAD is compared too. Skipped when there
is no earlier commit with protos to compare with.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUF = Path(sys.executable).parent / "buf"


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def main() -> int:
    references = []
    if git("status", "--porcelain", "--", "protos").stdout.strip():
        references.append("HEAD")
    head_time = int(git("log", "-1", "--format=%ct", "HEAD").stdout.strip() or 0)
    before = git("rev-list", "-1", f"--before={head_time - 4 * 3600}", "HEAD").stdout.strip()
    references.append(before or "HEAD~1")
    status = 0
    for reference in references:
        status |= check_against(reference)
    return status


def check_against(reference: str) -> int:
    if git("rev-parse", "--verify", "--quiet", reference).returncode != 0:
        print(f"buf breaking: no {reference} to compare with; skipped")
        return 0
    if not git("ls-tree", "-r", "--name-only", reference, "--", "protos").stdout.strip():
        print(f"buf breaking: {reference} has no protos; skipped")
        return 0
    against = f".git#ref={reference},subdir=."
    result = subprocess.run([str(BUF), "breaking", "--against", against], cwd=ROOT)
    if result.returncode == 0:
        print(f"buf breaking: compatible with {reference}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
