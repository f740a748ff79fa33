"""Rule tables as a component (C-1..C-6, C-6a, C-9): versions, holidays, UMK rates.

Every rate is a stored version with an effective-from date; billing reads the table and
takes the version in force for each period (`rules_for_period`), so a new regulation is a
row added here, never a code change. Only a head-office administrator changes the tables,
each change is audited with its reason, and a change that would alter a period already
billed is refused (C-RULES): issued bills are never silently recomputed.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jamsos.contributions.v1 import rules_pb2
from services.chassis.context import HEAD, current_principal
from services.chassis.convert import from_date, from_rupiah, to_date, to_rupiah
from services.chassis.errors import AlreadyExists, InvalidArgument, PermissionDenied, RuleViolation
from services.contributions.adapters import rule_repository as repo
from services.contributions.adapters.bill_queries import latest_billed_period
from services.contributions.adapters.tables import rule_versions, umk_rates
from services.chassis.rule_store import publish_version
from services.chassis.upsert import upsert
from services.contributions.application import rule_messages as msg
from services.contributions.application.context import ContributionsContext
from services.contributions.domain.roles import ContributionsAction
from services.contributions.domain.periods import Period
from services.contributions.domain.rule_tables import (
    SEED_CONTRIBUTION_RULES, SEED_JHT_RETURN_RATES, ContributionRules,
)


UMK_TABLE = "umk_rates"  # the name other services replicate it by


class RuleUseCases:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx

    def seed_if_empty(self) -> bool:
        """First start: the seeded versions (SEED_CONTRIBUTION_RULES, SEED_JHT_RETURN_RATES)."""
        with self.ctx.base.unit_of_work() as uow:
            if uow.session.execute(select(rule_versions.c.table_name).limit(1)).first() is not None:
                return False
            for version in (*SEED_CONTRIBUTION_RULES.versions, *SEED_JHT_RETURN_RATES.rates):
                repo.add_version(uow.session, version, "seed", "seeded at first start")
            try:
                uow.commit()
            except IntegrityError:  # another replica seeded first
                return False
        return True

    # ---- reading (any reader) ---------------------------------------------------------
    def list_rule_versions(self, request: rules_pb2.ListRuleVersionsRequest) -> rules_pb2.ListRuleVersionsResponse:
        self.ctx.authorise_read()
        name = msg.table_name(request.table)
        with self.ctx.base.read_session() as session:
            versions = repo.stored_versions(session, name)
        return rules_pb2.ListRuleVersionsResponse(versions=[msg.version_to_proto(v) for v in versions])

    def get_rules_in_force(self, request: rules_pb2.GetRulesInForceRequest) -> rules_pb2.GetRulesInForceResponse:
        self.ctx.authorise_read()
        day = to_date(request, "date")
        with self.ctx.base.read_session() as session:
            rules = repo.load_contribution_rules(session).in_force_on(day)
            rates = repo.load_jht_return_rates(session)
        response = rules_pb2.GetRulesInForceResponse(contribution_rules=msg.contribution_rules_to_proto(rules))
        declared = [r for r in rates.rates if r.year == day.year]
        if declared:
            response.jht_return_rate.CopyFrom(msg.jht_rate_to_proto(declared[0]))
        return response

    def list_holidays(self, request: rules_pb2.ListHolidaysRequest) -> rules_pb2.ListHolidaysResponse:
        self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            days = repo.holidays_of_year(session, _year(request.year))
        return rules_pb2.ListHolidaysResponse(holidays=[_holiday(d, n) for d, n in days])

    def list_umk_rates(self, request: rules_pb2.ListUmkRatesRequest) -> rules_pb2.ListUmkRatesResponse:
        self.ctx.authorise_read()
        statement = select(umk_rates).order_by(umk_rates.c.branch_code, umk_rates.c.effective_from)
        if request.branch_code:
            statement = statement.where(umk_rates.c.branch_code == request.branch_code)
        with self.ctx.base.read_session() as session:
            rows = session.execute(statement).all()
        return rules_pb2.ListUmkRatesResponse(rates=[_umk(r.branch_code, r.effective_from, r.monthly_rupiah) for r in rows])

    # ---- changing (head-office administrators) ---------------------------------------
    def add_rule_version(self, request: rules_pb2.AddRuleVersionRequest) -> rules_pb2.AddRuleVersionResponse:
        principal = self._head_office_admin("add a rule version")
        reason = _reason(request.reason)
        which = request.WhichOneof("rules")
        if which == "contribution_rules":
            version = msg.contribution_rules_from_proto(request.contribution_rules)
        elif which == "jht_return_rate":
            version = msg.jht_rate_from_proto(request.jht_return_rate)
        else:
            raise InvalidArgument.field("rules", "give contribution_rules or jht_return_rate")
        effective = repo.effective_from_of(version)
        name = repo.CONTRIBUTION_RULES if isinstance(version, ContributionRules) else repo.JHT_RETURN_RATES

        def use_case(uow):
            if repo.has_version(uow.session, name, effective):
                raise AlreadyExists("rule version", f"{name}@{effective.isoformat()}")
            if isinstance(version, ContributionRules):
                _refuse_if_billed(uow.session, _first_period_ruled_from(effective), None, "C-RULES")
            repo.add_version(uow.session, version, principal.user_id, reason)
            uow.audit("rules.add_version", f"{name}@{effective.isoformat()}", version.to_dict(), reason=reason)
            publish_version(uow, "contributions", name, "", effective, version.to_dict(), reason)
            stored = [v for v in repo.stored_versions(uow.session, name) if v.effective_from == effective][0]
            return rules_pb2.AddRuleVersionResponse(version=msg.version_to_proto(stored))

        return self.ctx.base.mutate("RuleService/AddRuleVersion", request, rules_pb2.AddRuleVersionResponse, use_case)

    def set_holidays(self, request: rules_pb2.SetHolidaysRequest) -> rules_pb2.SetHolidaysResponse:
        """C-6: the year's holidays. Bills already issued keep their due date (stored)."""
        self._head_office_admin("set holidays")
        reason = _reason(request.reason)
        year = _year(request.year)
        days: dict[date, str] = {}
        for i, holiday in enumerate(request.holidays):
            day = to_date(holiday, "day", field=f"holidays[{i}].day")
            if day.year != year:
                raise InvalidArgument.field(f"holidays[{i}].day", f"not in {year}")
            if not holiday.name.strip():
                raise InvalidArgument.field(f"holidays[{i}].name", "required")
            days[day] = holiday.name.strip()

        def use_case(uow):
            repo.replace_holidays(uow.session, year, sorted(days.items()))
            uow.audit("rules.set_holidays", str(year), {d.isoformat(): n for d, n in sorted(days.items())}, reason=reason)
            return rules_pb2.SetHolidaysResponse(holidays=[_holiday(d, n) for d, n in sorted(days.items())])

        return self.ctx.base.mutate("RuleService/SetHolidays", request, rules_pb2.SetHolidaysResponse, use_case)

    def set_umk_rate(self, request: rules_pb2.SetUmkRateRequest) -> rules_pb2.SetUmkRateResponse:
        """C-6a: the UMK of a branch area from a date (a period uses the UMK in force at its end)."""
        self._head_office_admin("set a UMK rate")
        reason = _reason(request.reason)
        if not request.HasField("rate") or not request.rate.branch_code.strip():
            raise InvalidArgument.field("rate.branch_code", "required")
        branch = request.rate.branch_code.strip()
        effective = to_date(request.rate, "effective_from", field="rate.effective_from")
        amount = to_rupiah(request.rate, "monthly_wage", field="rate.monthly_wage")
        if amount <= 0:
            raise InvalidArgument.field("rate.monthly_wage", "must be a positive number of rupiah")

        def use_case(uow):
            _refuse_if_billed(uow.session, Period.of(effective), branch, "C-6a")
            upsert(uow.session, umk_rates, {"branch_code": branch, "effective_from": effective, "monthly_rupiah": amount},
                   ["branch_code", "effective_from"])
            uow.audit("rules.set_umk", f"{branch}@{effective.isoformat()}", {"monthly_rupiah": amount}, reason=reason)
            # Welfare keeps a replica of the UMK table (W-S-2: wage at most 300% of the UMK).
            publish_version(uow, "contributions", UMK_TABLE, branch, effective, {"monthly_rupiah": amount}, reason)
            return rules_pb2.SetUmkRateResponse(rate=_umk(branch, effective, amount))

        return self.ctx.base.mutate("RuleService/SetUmkRate", request, rules_pb2.SetUmkRateResponse, use_case)

    def _head_office_admin(self, action: str):
        """O-3: rule tables are the head office's: a HEAD_OFFICE_ADMIN user of the head office."""
        self.ctx.authorise(ContributionsAction.MANAGE_RULE_TABLES)
        principal = current_principal()
        if not principal.is_service and principal.office_level != HEAD:
            raise PermissionDenied(f"O-2: only the head office may {action}")
        return principal


def _first_period_ruled_from(effective: date) -> Period:
    """A period takes the version in force on its first day: the first period it rules."""
    period = Period.of(effective)
    return period if effective.day == 1 else period.following()


def _refuse_if_billed(session, first_affected: Period, branch_code: str | None, rule_id: str) -> None:
    latest = latest_billed_period(session, branch_code)
    if latest is not None and latest >= first_affected:
        raise RuleViolation(rule_id, f"period {latest} is already billed; a change from {first_affected} would alter issued bills")


def _reason(text: str) -> str:
    if not text.strip():
        raise InvalidArgument.field("reason", "required: why the rules change (the regulation)")
    return text.strip()


def _year(year: int) -> int:
    if not 1900 <= year <= 9998:
        raise InvalidArgument.field("year", "must be a year between 1900 and 9998")
    return year


def _holiday(day: date, name: str) -> rules_pb2.Holiday:
    return rules_pb2.Holiday(day=from_date(day), name=name)


def _umk(branch: str, effective: date, amount: int) -> rules_pb2.UmkRate:
    return rules_pb2.UmkRate(branch_code=branch, effective_from=from_date(effective), monthly_wage=from_rupiah(amount))


def build(ctx: ContributionsContext) -> RuleUseCases:
    use_cases = RuleUseCases(ctx)
    use_cases.seed_if_empty()
    return use_cases
