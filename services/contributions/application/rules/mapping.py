"""Conversions between the rule-table protos (rules.proto) and the commands, domain
versions and results of the rule use cases."""
from __future__ import annotations

from datetime import date

from google.protobuf.timestamp_pb2 import Timestamp

from jamsos.contributions.v1 import rules_pb2
from services.chassis.convert import from_date, from_rupiah, to_date, to_rupiah
from services.chassis.errors import InvalidArgument
from services.contributions.adapters.rule_repository import CONTRIBUTION_RULES, JHT_RETURN_RATES, StoredVersion
from services.contributions.application.rules import commands as c
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


def holiday_to_proto(holiday: c.Holiday) -> rules_pb2.Holiday:
    return rules_pb2.Holiday(day=from_date(holiday.day), name=holiday.name)


def move_to_proto(move: DueDateMoved) -> rules_pb2.DueDateMove:
    return rules_pb2.DueDateMove(bill_number=move.bill_number, previous_due_date=from_date(move.previous),
                                 due_date=from_date(move.due))


def umk_to_proto(rate: c.UmkRate) -> rules_pb2.UmkRate:
    return rules_pb2.UmkRate(branch_code=rate.branch_code, effective_from=from_date(rate.effective_from),
                             monthly_wage=from_rupiah(rate.monthly_rupiah))


def rules_in_force_to_proto(found: c.RulesInForce) -> rules_pb2.GetRulesInForceResponse:
    response = rules_pb2.GetRulesInForceResponse(contribution_rules=contribution_rules_to_proto(found.contribution_rules))
    if found.jht_return_rate is not None:
        response.jht_return_rate.CopyFrom(jht_rate_to_proto(found.jht_return_rate))
    return response


def moves_to_proto(changed: c.HolidaysChanged) -> list[rules_pb2.DueDateMove]:
    return [move_to_proto(m) for m in changed.moved]


# ---- requests to commands ---------------------------------------------------------------
def list_rule_versions(request: rules_pb2.ListRuleVersionsRequest) -> c.ListRuleVersions:
    return c.ListRuleVersions(table_name(request.table))


def get_rules_in_force(request: rules_pb2.GetRulesInForceRequest) -> c.GetRulesInForce:
    return c.GetRulesInForce(to_date(request, "date"))


def list_holidays(request: rules_pb2.ListHolidaysRequest) -> c.ListHolidays:
    return c.ListHolidays(year(request.year))


def list_umk_rates(request: rules_pb2.ListUmkRatesRequest) -> c.ListUmkRates:
    return c.ListUmkRates(request.branch_code)


def add_rule_version(request: rules_pb2.AddRuleVersionRequest) -> c.AddRuleVersion:
    why = reason(request.reason)
    which = request.WhichOneof("rules")
    if which == "contribution_rules":
        return c.AddRuleVersion(contribution_rules_from_proto(request.contribution_rules), why)
    if which == "jht_return_rate":
        return c.AddRuleVersion(jht_rate_from_proto(request.jht_return_rate), why)
    raise InvalidArgument.field("rules", "give contribution_rules or jht_return_rate")


def set_holidays(request: rules_pb2.SetHolidaysRequest) -> c.SetHolidays:
    why = reason(request.reason)
    of_year = year(request.year)
    days: dict[date, str] = {}
    for i, holiday in enumerate(request.holidays):
        day = to_date(holiday, "day", field=f"holidays[{i}].day")
        if day.year != of_year:
            raise InvalidArgument.field(f"holidays[{i}].day", f"not in {of_year}")
        if not holiday.name.strip():
            raise InvalidArgument.field(f"holidays[{i}].name", "required")
        days[day] = holiday.name.strip()  # a day given twice: its last name
    return c.SetHolidays(of_year, tuple(c.Holiday(d, n) for d, n in sorted(days.items())), why)


def add_holiday(request: rules_pb2.AddHolidayRequest) -> c.AddHoliday:
    why = reason(request.reason)
    if not request.HasField("holiday"):
        raise InvalidArgument.field("holiday", "required")
    day = to_date(request.holiday, "day", field="holiday.day")
    _year_of(day, "holiday.day")
    name = request.holiday.name.strip()
    if not name:
        raise InvalidArgument.field("holiday.name", "required")
    return c.AddHoliday(c.Holiday(day, name), why)


def remove_holiday(request: rules_pb2.RemoveHolidayRequest) -> c.RemoveHoliday:
    why = reason(request.reason)
    day = to_date(request, "day")
    _year_of(day, "day")
    return c.RemoveHoliday(day, why)


def set_umk_rate(request: rules_pb2.SetUmkRateRequest) -> c.SetUmkRate:
    why = reason(request.reason)
    if not request.HasField("rate") or not request.rate.branch_code.strip():
        raise InvalidArgument.field("rate.branch_code", "required")
    effective = to_date(request.rate, "effective_from", field="rate.effective_from")
    amount = to_rupiah(request.rate, "monthly_wage", field="rate.monthly_wage")
    if amount <= 0:
        raise InvalidArgument.field("rate.monthly_wage", "must be a positive number of rupiah")
    return c.SetUmkRate(c.UmkRate(request.rate.branch_code.strip(), effective, amount), why)


def reason(text: str) -> str:
    if not text.strip():
        raise InvalidArgument.field("reason", "required: why the rules change (the regulation)")
    return text.strip()


def year(value: int) -> int:
    if not 1900 <= value <= 9998:
        raise InvalidArgument.field("year", "must be a year between 1900 and 9998")
    return value


def _year_of(day: date, field: str) -> None:
    if not 1900 <= day.year <= 9998:
        raise InvalidArgument.field(field, "must be in a year between 1900 and 9998")
