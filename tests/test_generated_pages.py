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
