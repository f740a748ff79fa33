"""buf breaking against the previous commit of main (wire and JSON compatibility).

In CI the checkout is main itself, so the reference is HEAD~1 (what main was before
this change landed); locally, with uncommitted work, it is HEAD. Skipped when there is
no earlier commit with protos to compare with.
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
    dirty = git("status", "--porcelain", "--", "protos").stdout.strip()
    reference = "HEAD" if dirty else "HEAD~1"
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
