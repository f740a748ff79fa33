"""Every dated rule table benefits administers, as one value the use cases pass down.

The head office adds versions through the rule store (application/rule_book.py); the
tables in code are the rule book's seed, stored as the first version of each by migration
0006. A claim's own day picks the version (the claim date for JHT, the accident for JKK,
the death for JK, the care for JPK), so a use case loads `BenefitTables` once per
transaction and hands the table, never a literal, to the calculators.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from services.chassis.rule_tables import RuleTable

from .accident_reports import ACCIDENT_REPORT_RULES, AccidentReportRules
from .benefit_rules import JK_RULES, JKK_RULES, JPK_RULES, JkkRules, JkRules, JpkRules
from .jht import JHT_RULES, JhtRules


@dataclass(frozen=True)
class TableSpec:
    """One administered table: its stored name, the seed in code and how a version loads."""

    name: str  # in rule_versions and in RuleVersionPublished
    attribute: str  # the BenefitTables field it fills
    seed: RuleTable[Any]
    load: Callable[[Mapping[str, Any]], Any]

    @property
    def rule_id(self) -> str:
        return self.seed.rule_id


SPECS: tuple[TableSpec, ...] = (
    TableSpec("benefits_jht_rules", "jht", JHT_RULES, JhtRules.from_dict),
    TableSpec("benefits_accident_report_rules", "accident_reports", ACCIDENT_REPORT_RULES,
              AccidentReportRules.from_dict),
    TableSpec("benefits_jkk_rules", "jkk", JKK_RULES, JkkRules.from_dict),
    TableSpec("benefits_jk_rules", "jk", JK_RULES, JkRules.from_dict),
    TableSpec("benefits_jpk_rules", "jpk", JPK_RULES, JpkRules.from_dict),
)
SPEC_BY_NAME: Mapping[str, TableSpec] = MappingProxyType({spec.name: spec for spec in SPECS})


@dataclass(frozen=True)
class BenefitTables:
    """B-JHT-1/3, B-JKK-1, B-JKK-2..8, B-JK-1, B-JPK-1..7: the versions known to this transaction."""

    jht: RuleTable[JhtRules] = field(default_factory=lambda: JHT_RULES)
    accident_reports: RuleTable[AccidentReportRules] = field(default_factory=lambda: ACCIDENT_REPORT_RULES)
    jkk: RuleTable[JkkRules] = field(default_factory=lambda: JKK_RULES)
    jk: RuleTable[JkRules] = field(default_factory=lambda: JK_RULES)
    jpk: RuleTable[JpkRules] = field(default_factory=lambda: JPK_RULES)


SEEDED = BenefitTables()


def merged(spec: TableSpec, stored: Mapping[Any, Mapping[str, Any]]) -> RuleTable[Any]:
    """The seed's versions plus the stored ones (`effective_from` -> payload); a stored
    version replaces the seed's of the same day (the seeded rows are that very version)."""
    added = {day: spec.load(payload) for day, payload in stored.items()}
    seeded = [v for v in spec.seed.versions if v.effective_from not in added]
    return RuleTable([*seeded, *added.values()], rule_id=spec.rule_id)
