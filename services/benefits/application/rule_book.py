"""The benefit rule tables as the use cases read them: the rule book's seed (domain, stored
as the first versions by migration 0006) plus what the head office added since
(rule_versions, with who and why). One `RuleBook` per transaction or read; `tables()` is
what the calculators and the workflow get, so the claim's own day picks the version."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.benefits.adapters.tables import rule_store
from services.benefits.domain.benefit_tables import SPECS, BenefitTables, TableSpec, merged
from services.chassis.rule_store import StoredVersion
from services.chassis.rule_tables import RuleTable


class RuleBook:
    def __init__(self, session: Session):
        self.session = session
        self._payloads: dict[str, dict[date, Mapping[str, Any]]] | None = None

    def stored(self, spec: TableSpec) -> list[StoredVersion]:
        return rule_store.versions(self.session, spec.name)

    def table(self, spec: TableSpec) -> RuleTable[Any]:
        return merged(spec, self._all().get(spec.name, {}))

    def tables(self) -> BenefitTables:
        """Every table in one read of rule_versions."""
        return BenefitTables(**{spec.attribute: self.table(spec) for spec in SPECS})

    def _all(self) -> dict[str, dict[date, Mapping[str, Any]]]:
        if self._payloads is None:
            stored = rule_store.versions_of(self.session, [spec.name for spec in SPECS])
            self._payloads = {name: {v.effective_from: v.payload for v in versions}
                              for name, versions in stored.items()}
        return self._payloads


def tables_of(session: Session) -> BenefitTables:
    return RuleBook(session).tables()
