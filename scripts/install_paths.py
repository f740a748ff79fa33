"""Put the repository root and gen/ on the virtual environment's path (a .pth file).

The code runs from the checkout; nothing is packaged, so imports see edits at once.
"""
from __future__ import annotations

import site
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
target = Path(site.getsitepackages()[0]) / "jamsos-paths.pth"
target.write_text(f"{ROOT}\n{ROOT / 'gen'}\n")
print(f"wrote {target}", file=sys.stderr)  # stderr: `TOKEN=$(make -s token ...)` on a fresh clone captures stdout
