"""The welfare rule tables as the use cases read them: the rule book's seeded versions
(domain/rule_tables.py) plus the versions the head office has added since (rule_versions,
with who and why), so a new regulation is data and the date of an application or loan
picks its version."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from services.chassis.rule_tables import RuleTable
from services.chassis.rule_store import StoredVersion
from services.welfare.adapters.tables import rule_store
from services.welfare.domain.rule_tables import (
    COOPERATIVE_LOAN_RULES, PARTNERSHIP_RULES, PUMP_RULES, SCHOLARSHIP_RULES, CooperativeLoanRules, PartnershipRules,
    PumpRules, ScholarshipRules,
)

V = TypeVar("V")


@dataclass(frozen=True)
class TableSpec(Generic[V]):
    name: str  # as stored in rule_versions and published
    seed: RuleTable[Any]
    load: Callable[[Mapping[str, Any]], V]


SCHOLARSHIP = TableSpec("welfare_scholarship_rules", SCHOLARSHIP_RULES, ScholarshipRules.from_dict)
COOPERATIVE_LOAN = TableSpec("welfare_cooperative_loan_rules", COOPERATIVE_LOAN_RULES, CooperativeLoanRules.from_dict)
PUMP = TableSpec("welfare_pump_rules", PUMP_RULES, PumpRules.from_dict)
PARTNERSHIP = TableSpec("welfare_partnership_rules", PARTNERSHIP_RULES, PartnershipRules.from_dict)
SPECS = (SCHOLARSHIP, COOPERATIVE_LOAN, PUMP, PARTNERSHIP)


class RuleBook:
    """One transaction's (or read's) view of the welfare rule tables."""

    def __init__(self, session: Session):
        self.session = session

    def stored(self, spec: TableSpec[Any]) -> list[StoredVersion]:
        return rule_store.versions(self.session, spec.name)

    def table(self, spec: TableSpec[V]) -> RuleTable[Any]:
        added = {v.effective_from: spec.load(v.payload) for v in self.stored(spec)}
        seeded = [v for v in spec.seed.versions if v.effective_from not in added]
        return RuleTable([*seeded, *added.values()], rule_id=spec.seed.rule_id)

    def scholarship(self) -> RuleTable[ScholarshipRules]:
        return self.table(SCHOLARSHIP)

    def cooperative_loan(self) -> RuleTable[CooperativeLoanRules]:
        return self.table(COOPERATIVE_LOAN)

    def pump(self) -> RuleTable[PumpRules]:
        return self.table(PUMP)

    def partnership(self) -> RuleTable[PartnershipRules]:
        return self.table(PARTNERSHIP)
