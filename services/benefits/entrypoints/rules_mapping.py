"""BenefitRuleService protobuf <-> commands and results. A new version is given as the
figures that change (by their path, each a whole number within the platform's rupiah
range); a version is answered as JSON, the tables holding nested figures (transport caps by
mode, STMB blocks, the disability table)."""
from __future__ import annotations

import json
from typing import Any

from jamsos.benefits.v1 import rules_pb2 as pb
from services.benefits.application.rules import AddVersion, RuleVersion
from services.benefits.domain.benefit_tables import SPEC_BY_NAME, TableSpec
from services.benefits.entrypoints.claims_mapping import enum_in, optional_date
from services.chassis.convert import from_date
from services.chassis.errors import Violations
from services.chassis.money import MAX_RUPIAH

TABLE = {pb.BENEFIT_RULE_TABLE_JHT: SPEC_BY_NAME["benefits_jht_rules"],
         pb.BENEFIT_RULE_TABLE_ACCIDENT_REPORTS: SPEC_BY_NAME["benefits_accident_report_rules"],
         pb.BENEFIT_RULE_TABLE_JKK: SPEC_BY_NAME["benefits_jkk_rules"],
         pb.BENEFIT_RULE_TABLE_JK: SPEC_BY_NAME["benefits_jk_rules"],
         pb.BENEFIT_RULE_TABLE_JPK: SPEC_BY_NAME["benefits_jpk_rules"]}
TABLE_TO_PROTO = {spec.name: value for value, spec in TABLE.items()}


def table_of(request: Any) -> TableSpec:
    v = Violations()
    spec = enum_in(TABLE, request.table, "table", v)
    v.raise_if_any()
    assert spec is not None
    return spec


def add_version(request: pb.AddBenefitRuleVersionRequest) -> AddVersion:
    v = Violations()
    spec = enum_in(TABLE, request.table, "table", v)
    effective = optional_date(request, "effective_from", v, "effective_from")
    if not request.HasField("effective_from"):
        v.add("effective_from", "is required")
    reason = " ".join(request.reason.split())
    if not reason:
        v.add("reason", "required: the regulation the new version follows")
    changes: dict[str, int] = {}
    for i, change in enumerate(request.changes):
        name = change.name.strip()
        if not name:
            v.add(f"changes[{i}].name", "is required")
        elif name in changes:
            v.add(f"changes[{i}].name", "given twice")
        if not 0 <= change.value <= MAX_RUPIAH:
            v.add(f"changes[{i}].value", f"must be a whole number from 0 to {MAX_RUPIAH:,}")
        changes[name] = change.value
    if not request.changes:
        v.add("changes", "at least one figure changes in a new version")
    v.raise_if_any()
    assert spec is not None and effective is not None
    return AddVersion(spec, effective, tuple(changes.items()), reason, " ".join(request.regulation.split()))


def version_to_proto(version: RuleVersion) -> pb.BenefitRuleVersion:
    payload = {k: v for k, v in version.payload.items() if k != "effective_from"}
    return pb.BenefitRuleVersion(table=TABLE_TO_PROTO[version.spec.name], effective_from=from_date(version.effective_from),
                                 version_json=json.dumps(payload, sort_keys=True), created_by=version.created_by or "",
                                 reason=version.reason or "")


def list_response(versions: list[RuleVersion]) -> pb.ListBenefitRuleVersionsResponse:
    return pb.ListBenefitRuleVersionsResponse(versions=[version_to_proto(v) for v in versions])


def add_response(version: RuleVersion) -> pb.AddBenefitRuleVersionResponse:
    return pb.AddBenefitRuleVersionResponse(version=version_to_proto(version))
