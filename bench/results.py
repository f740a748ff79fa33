"""Where bench results live: bench/results/<bench>-<date>.json, and <bench>-latest.json beside it."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def latest_path(bench: str, folder: Path = RESULTS) -> Path:
    return folder / f"{bench}-latest.json"


def write(bench: str, result: dict[str, Any], folder: Path = RESULTS, day: date | None = None) -> list[Path]:
    """Writes the dated file (a later run the same day replaces it) and the stable latest one."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    paths = [folder / f"{bench}-{(day or date.today()).isoformat()}.json", latest_path(bench, folder)]
    for path in paths:
        path.write_text(text)
    return paths
