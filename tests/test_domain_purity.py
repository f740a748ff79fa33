"""Every service's domain is plain Python (style.md): no database, gRPC, Kafka or clock.

A domain module imports the standard library, its own service's domain, and the few
chassis modules that are themselves pure: the error vocabulary, money arithmetic, the
roles table. Those chassis modules are checked the same way, so the wall has no gap.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_CHASSIS = {"services.chassis.errors", "services.chassis.ids", "services.chassis.money", "services.chassis.roles", "services.chassis.context",
                "services.chassis.rule_tables", "services.chassis.payout_rules",
                "services.chassis.payment_orders"}
DOMAINS = sorted(p for p in (ROOT / "services").glob("*/domain") if p.is_dir())


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
                found.add(f"{package}.{node.module}" if node.module else package)
            else:
                found.add(node.module)
    return found


def impurities(path: Path, own: str) -> list[str]:
    return [m for m in imported_modules(path)
            if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith(own) and m not in PURE_CHASSIS]


def test_every_service_has_a_domain_checked_here():
    assert {p.parent.name for p in DOMAINS} >= {"membership", "contributions"}


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda p: p.parent.name)
def test_a_domain_imports_only_the_standard_library_its_own_domain_and_pure_chassis_modules(domain):
    own = f"services.{domain.parent.name}.domain"
    found = {f"{path.name}: {m}" for path in domain.glob("*.py") for m in impurities(path, own)}
    assert not found, sorted(found)


@pytest.mark.parametrize("module", sorted(PURE_CHASSIS))
def test_the_pure_chassis_modules_are_pure(module):
    path = ROOT / (module.replace(".", "/") + ".py")
    assert not impurities(path, "services.chassis.__never__"), module
