"""Conversions between the rule-table protos (rules.proto) and the domain versions."""
from __future__ import annotations

from datetime import date

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.contributions.v1 import rules_pb2
from services.chassis.convert import from_date, from_rupiah, to_date
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.rule_repository import CONTRIBUTION_RULES, JHT_RETURN_RATES, StoredVersion
from services.contributions.application.rules.due_date_moves import DueDateMoved
from services.contributions.domain.rule_tables import ContributionRules, JhtReturnRate

TABLE_TO_PROTO = {
    CONTRIBUTION_RULES: rules_pb2.RULE_TABLE_NAME_CONTRIBUTION_RULES,
    JHT_RETURN_RATES: rules_pb2.RULE_TABLE_NAME_JHT_RETURN_RATES,
}
PROTO_TO_TABLE = {v: k for k, v in TABLE_TO_PROTO.items()}


def table_name(value: int, field: str = "table") -> str:
    try:
        return PROTO_TO_TABLE[value]
    except KeyError:
        raise InvalidArgument.field(field, "one of RULE_TABLE_NAME_CONTRIBUTION_RULES, RULE_TABLE_NAME_JHT_RETURN_RATES") from None


def contribution_rules_to_proto(rules: ContributionRules) -> rules_pb2.ContributionRules:
    message = rules_pb2.ContributionRules(
        effective_from=from_date(rules.effective_from),
        jht_employer_bp=rules.jht_employer_bp, jht_worker_bp=rules.jht_worker_bp, jk_employer_bp=rules.jk_employer_bp,
        jkk_rates=[rules_pb2.JkkRate(risk_group=g, rate_bp=bp) for g, bp in sorted(rules.jkk_bp_by_risk_group.items())],
        jpk_single_bp=rules.jpk_single_bp, jpk_married_bp=rules.jpk_married_bp,
        jpk_wage_cap=from_rupiah(rules.jpk_wage_cap_rupiah), due_day=rules.due_day,
        due_rolls_to_next_working_day=rules.due_rolls_to_next_working_day,
        penalty_bp_per_month=rules.penalty_bp_per_month, source=rules.source,
    )
    if rules.penalty_cap_bp is not None:
        message.penalty_cap_bp = rules.penalty_cap_bp
    return message


def contribution_rules_from_proto(message: rules_pb2.ContributionRules) -> ContributionRules:
    """Validated by the domain (every problem reported as a field violation)."""
    field = "contribution_rules"
    jkk = {}
    for rate in message.jkk_rates:
        if rate.risk_group in jkk:
            raise InvalidArgument.field(f"{field}.jkk_rates", f"risk group {rate.risk_group} given twice")
        jkk[rate.risk_group] = rate.rate_bp
    if not message.HasField("jpk_wage_cap"):
        raise InvalidArgument.field(f"{field}.jpk_wage_cap", "required")
    try:
        return ContributionRules(
            effective_from=to_date(message, "effective_from", field=f"{field}.effective_from"),
            jht_employer_bp=message.jht_employer_bp, jht_worker_bp=message.jht_worker_bp,
            jk_employer_bp=message.jk_employer_bp, jkk_bp_by_risk_group=jkk,
            jpk_single_bp=message.jpk_single_bp, jpk_married_bp=message.jpk_married_bp,
            jpk_wage_cap_rupiah=message.jpk_wage_cap.rupiah, due_day=message.due_day,
            due_rolls_to_next_working_day=message.due_rolls_to_next_working_day,
            penalty_bp_per_month=message.penalty_bp_per_month,
            penalty_cap_bp=message.penalty_cap_bp if message.HasField("penalty_cap_bp") else None,
            source=message.source,
        )
    except InvalidArgument as exc:
        raise InvalidArgument([type(v)(f"{field}.{v.field}", v.reason) for v in exc.violations]) from None


def jht_rate_to_proto(rate: JhtReturnRate) -> rules_pb2.JhtReturnRate:
    message = rules_pb2.JhtReturnRate(year=rate.year, rate_bp=rate.rate_bp, source=rate.source)
    if rate.deposit_rate_floor_bp is not None:
        message.deposit_rate_floor_bp = rate.deposit_rate_floor_bp
    return message


def jht_rate_from_proto(message: rules_pb2.JhtReturnRate) -> JhtReturnRate:
    if not 1900 <= message.year <= 9998:
        raise InvalidArgument.field("jht_return_rate.year", "must be a year between 1900 and 9998")
    if not message.source.strip():
        raise InvalidArgument.field("jht_return_rate.source", "cite the declaration")
    floor = message.deposit_rate_floor_bp if message.HasField("deposit_rate_floor_bp") else None
    return JhtReturnRate(message.year, message.rate_bp, message.source, floor)


def version_to_proto(stored: StoredVersion) -> rules_pb2.RuleVersion:
    message = rules_pb2.RuleVersion(
        table=TABLE_TO_PROTO[stored.table_name], effective_from=from_date(stored.effective_from),
        created_by=stored.created_by, reason=stored.reason or "",
    )
    if isinstance(stored.version, ContributionRules):
        message.contribution_rules.CopyFrom(contribution_rules_to_proto(stored.version))
    else:
        message.jht_return_rate.CopyFrom(jht_rate_to_proto(stored.version))
    created = Timestamp()
    created.FromDatetime(stored.created_at)
    message.created_at.CopyFrom(created)
    return message


def holiday_to_proto(day: date, name: str) -> rules_pb2.Holiday:
    return rules_pb2.Holiday(day=from_date(day), name=name)


def move_to_proto(move: DueDateMoved) -> rules_pb2.DueDateMove:
    return rules_pb2.DueDateMove(bill_number=move.bill_number, previous_due_date=from_date(move.previous),
                                 due_date=from_date(move.due))


def umk_to_proto(branch: str, effective: date, amount: int) -> rules_pb2.UmkRate:
    return rules_pb2.UmkRate(branch_code=branch, effective_from=from_date(effective), monthly_wage=from_rupiah(amount))
