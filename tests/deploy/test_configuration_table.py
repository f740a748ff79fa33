"""The README's configuration table names every environment variable the platform reads,
and nothing it does not: the services, the `jamsos` CLI and `make run` (scripts/run_platform.py).

Read statically: each literal name given to `os.environ.get`, `os.environ[...]`, the
chassis's `_env`/`_key_from_env` (which also reads `<NAME>_FILE`) or a Typer `envvar=`.
A per-service name built by an f-string (`f"{upper}_GRPC_PORT"`, `f"{prefix}_PAYOUT_..."`)
is compared as the table spells it: `<SERVICE>_GRPC_PORT`.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = [*(ROOT / "services").rglob("*.py"), *(ROOT / "cli").rglob("*.py"), ROOT / "scripts" / "run_platform.py"]
READ = re.compile(r"""(?<!\w)(_env|environ\.get|environ\[|_key_from_env|envvar=)\(?\s*f?["']([A-Za-z0-9_{}]+)["']""")
# Placeholders standing for one service's name; `{name}` is `_key_from_env`'s own argument.
PER_SERVICE = re.compile(r"\{(upper|prefix)\}")
NOT_SETTINGS = {"PYTHONPATH", "{name}_FILE"}  # run_platform passes PYTHONPATH on to its children


def names_read_by_the_code() -> dict[str, set[str]]:
    """Variable name (as the table spells it) -> the files reading it."""
    found: dict[str, set[str]] = {}
    for path in READERS:
        for call, name in READ.findall(path.read_text(encoding="utf-8")):
            if name in NOT_SETTINGS:
                continue
            spelt = PER_SERVICE.sub("<SERVICE>", name)
            for read in (spelt, f"{spelt}_FILE") if call == "_key_from_env" else (spelt,):
                found.setdefault(read, set()).add(str(path.relative_to(ROOT)))
    return found


def names_in_the_table() -> set[str]:
    """Every `NAME` in the first column of the README's "## Configuration" table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "no configuration table under '## Configuration'"
    return {name for row in rows for name in re.findall(r"`([A-Z0-9_<>]+)`", row.split("|")[1])}


def test_every_variable_the_platform_reads_is_in_the_configuration_table():
    missing = {name: sorted(files) for name, files in names_read_by_the_code().items() if name not in names_in_the_table()}
    assert missing == {}


def test_the_configuration_table_names_no_variable_the_platform_does_not_read():
    assert names_in_the_table() - set(names_read_by_the_code()) == set()
