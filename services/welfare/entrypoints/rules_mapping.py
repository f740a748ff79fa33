"""WelfareRuleService protobuf <-> commands and results."""
from __future__ import annotations

from jamsos.welfare.v1 import rules_pb2 as pb
from services.chassis.convert import from_date
from services.chassis.errors import InvalidArgument
from services.welfare.application.rule_book import COOPERATIVE_LOAN, PARTNERSHIP, PUMP, SCHOLARSHIP
from services.welfare.application.rules import AddVersion, ListVersions, RuleVersion
from services.welfare.entrypoints.convert import day, required_enum, text

TABLE = {pb.WELFARE_RULE_TABLE_SCHOLARSHIP: SCHOLARSHIP, pb.WELFARE_RULE_TABLE_COOPERATIVE_LOAN: COOPERATIVE_LOAN,
         pb.WELFARE_RULE_TABLE_PUMP: PUMP, pb.WELFARE_RULE_TABLE_PARTNERSHIP: PARTNERSHIP}
TABLE_TO_PROTO = {spec.name: value for value, spec in TABLE.items()}


def list_versions(request: pb.ListWelfareRuleVersionsRequest) -> ListVersions:
    return ListVersions(required_enum(TABLE, request.table, "table"))


def add_version(request: pb.AddWelfareRuleVersionRequest) -> AddVersion:
    spec = required_enum(TABLE, request.table, "table")
    figures: dict[str, int] = {}
    for i, figure in enumerate(request.figures):
        if figure.name in figures:
            raise InvalidArgument.field(f"figures[{i}].name", "given twice")
        figures[figure.name] = figure.value
    reason = text(request.reason, "reason", max_length=2000)
    if reason is None:
        raise InvalidArgument.field("reason", "required: the regulation the new version follows")
    return AddVersion(spec, day(request, "effective_from"), figures, reason)


def version_to_proto(version: RuleVersion) -> pb.WelfareRuleVersion:
    return pb.WelfareRuleVersion(
        table=TABLE_TO_PROTO[version.spec.name], effective_from=from_date(version.effective_from),
        figures=[pb.RuleFigure(name=k, value=v) for k, v in version.figures.items()],
        created_by=version.created_by or "", reason=version.reason or "")


def list_response(versions: list[RuleVersion]) -> pb.ListWelfareRuleVersionsResponse:
    return pb.ListWelfareRuleVersionsResponse(versions=[version_to_proto(v) for v in versions])


def add_response(version: RuleVersion) -> pb.AddWelfareRuleVersionResponse:
    return pb.AddWelfareRuleVersionResponse(version=version_to_proto(version))
