"""The membership domain is plain Python (style.md): no database, gRPC or Kafka imports."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import services.membership.domain as domain

ALLOWED_OUTSIDE = {"services.chassis.errors"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
    return found


def test_domain_imports_only_the_standard_library_and_the_error_vocabulary():
    for path in Path(domain.__file__).parent.glob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names or module in ALLOWED_OUTSIDE, f"{path.name} imports {module}"
