"""docs/api.md, docs/roles.md and docs/rule-index.md are what the code generates (`make docs`):
a new RPC, field comment, role change or rule-marked test that is not in them fails here,
so the pages cannot drift."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_generated_pages_are_current():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs_pages.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_rpc_and_field_of_the_api_reference_says_what_it_means():
    # A table row of docs/api.md whose last cell (the comment) is empty: an RPC or field without one.
    rows = [line for line in (ROOT / "docs" / "api.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")]
    assert len(rows) > 1000
    assert [row for row in rows if row.rstrip().endswith("|  |")] == []
