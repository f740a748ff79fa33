"""Rule tables as a component (C-1..C-6, C-6a, C-9): versions, holidays, UMK rates.

Every rate is a stored version with an effective-from date; billing reads the table and
takes the version in force for each period (`rules_for_period`), so a new regulation is a
row added here, never a code change. Only a head-office administrator changes the tables,
each change is audited with its reason, and a change that would alter a period already
billed is refused (C-5: an issued SPI is never silently recomputed).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from jamsos.contributions.v1 import rules_pb2
from services.chassis.context import HEAD, current_principal
from services.chassis.convert import to_date, to_rupiah
from services.chassis.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied, RuleViolation
from services.contributions.adapters.rule_repository import (
    CONTRIBUTION_RULES, JHT_RETURN_RATES, RuleRepository, effective_from_of,
)
from services.contributions.adapters.bill_queries import latest_billed_period
from services.chassis.rule_store import publish_version
from services.contributions.application.rules import mapping as msg
from services.contributions.application.rules.due_date_moves import move_due_dates
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
            stored = RuleRepository(uow.session)
            if stored.has_any_version():
                return False
            for version in (*SEED_CONTRIBUTION_RULES.versions, *SEED_JHT_RETURN_RATES.rates):
                stored.add_version(version, "seed", "seeded at first start")
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
            versions = RuleRepository(session).stored_versions(name)
        return rules_pb2.ListRuleVersionsResponse(versions=[msg.version_to_proto(v) for v in versions])

    def get_rules_in_force(self, request: rules_pb2.GetRulesInForceRequest) -> rules_pb2.GetRulesInForceResponse:
        self.ctx.authorise_read()
        day = to_date(request, "date")
        with self.ctx.base.read_session() as session:
            stored = RuleRepository(session)
            rules = stored.load_contribution_rules().in_force_on(day)
            rates = stored.load_jht_return_rates()
        response = rules_pb2.GetRulesInForceResponse(contribution_rules=msg.contribution_rules_to_proto(rules))
        declared = [r for r in rates.rates if r.year == day.year]
        if declared:
            response.jht_return_rate.CopyFrom(msg.jht_rate_to_proto(declared[0]))
        return response

    def list_holidays(self, request: rules_pb2.ListHolidaysRequest) -> rules_pb2.ListHolidaysResponse:
        self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            days = RuleRepository(session).holidays_of_year(_year(request.year))
        return rules_pb2.ListHolidaysResponse(holidays=[msg.holiday_to_proto(d, n) for d, n in days])

    def list_umk_rates(self, request: rules_pb2.ListUmkRatesRequest) -> rules_pb2.ListUmkRatesResponse:
        self.ctx.authorise_read()
        with self.ctx.base.read_session() as session:
            rates = RuleRepository(session).umk_rates_of(request.branch_code)
        return rules_pb2.ListUmkRatesResponse(rates=[msg.umk_to_proto(*rate) for rate in rates])

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
        effective = effective_from_of(version)
        name = CONTRIBUTION_RULES if isinstance(version, ContributionRules) else JHT_RETURN_RATES

        def use_case(uow):
            stored = RuleRepository(uow.session)
            if stored.has_version(name, effective):
                raise AlreadyExists("rule version", f"{name}@{effective.isoformat()}")
            if isinstance(version, ContributionRules):
                _refuse_if_billed(uow.session, _first_period_ruled_from(effective), None, "C-5")
            stored.add_version(version, principal.user_id, reason)
            uow.audit("rules.add_version", f"{name}@{effective.isoformat()}", version.to_dict(), reason=reason)
            publish_version(uow, "contributions", name, "", effective, version.to_dict(), reason)
            added = [v for v in stored.stored_versions(name) if v.effective_from == effective][0]
            return rules_pb2.AddRuleVersionResponse(version=msg.version_to_proto(added))

        return self.ctx.base.mutate("RuleService/AddRuleVersion", request, rules_pb2.AddRuleVersionResponse, use_case)

    def set_holidays(self, request: rules_pb2.SetHolidaysRequest) -> rules_pb2.SetHolidaysResponse:
        """C-6: the year's holidays; issued, unpaid bills whose due date they move get the new
        one (`due_date_moves`), settled bills keep theirs."""
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
            RuleRepository(uow.session).replace_holidays(year, sorted(days.items()))
            uow.audit("rules.set_holidays", str(year), {d.isoformat(): n for d, n in sorted(days.items())}, reason=reason)
            moved = move_due_dates(uow, {year}, reason)
            return rules_pb2.SetHolidaysResponse(holidays=[msg.holiday_to_proto(d, n) for d, n in sorted(days.items())],
                                                 moved_bills=[msg.move_to_proto(m) for m in moved])

        return self.ctx.base.mutate("RuleService/SetHolidays", request, rules_pb2.SetHolidaysResponse, use_case)

    def add_holiday(self, request: rules_pb2.AddHolidayRequest) -> rules_pb2.AddHolidayResponse:
        """C-6: one holiday (or a new name for one), the rest of the year untouched."""
        self._head_office_admin("add a holiday")
        reason = _reason(request.reason)
        if not request.HasField("holiday"):
            raise InvalidArgument.field("holiday", "required")
        day = to_date(request.holiday, "day", field="holiday.day")
        _year_of(day, "holiday.day")
        name = request.holiday.name.strip()
        if not name:
            raise InvalidArgument.field("holiday.name", "required")

        def use_case(uow):
            RuleRepository(uow.session).put_holiday(day, name)
            uow.audit("rules.add_holiday", day.isoformat(), {"name": name}, reason=reason)
            moved = move_due_dates(uow, {day.year}, reason)
            return rules_pb2.AddHolidayResponse(holiday=msg.holiday_to_proto(day, name),
                                                moved_bills=[msg.move_to_proto(m) for m in moved])

        return self.ctx.base.mutate("RuleService/AddHoliday", request, rules_pb2.AddHolidayResponse, use_case)

    def remove_holiday(self, request: rules_pb2.RemoveHolidayRequest) -> rules_pb2.RemoveHolidayResponse:
        """C-6: one holiday taken off; NotFound when the day is not one."""
        self._head_office_admin("remove a holiday")
        reason = _reason(request.reason)
        day = to_date(request, "day")
        _year_of(day, "day")

        def use_case(uow):
            if not RuleRepository(uow.session).remove_holiday(day):
                raise NotFound("holiday", day.isoformat())
            uow.audit("rules.remove_holiday", day.isoformat(), {}, reason=reason)
            moved = move_due_dates(uow, {day.year}, reason)
            return rules_pb2.RemoveHolidayResponse(moved_bills=[msg.move_to_proto(m) for m in moved])

        return self.ctx.base.mutate("RuleService/RemoveHoliday", request, rules_pb2.RemoveHolidayResponse, use_case)

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
            RuleRepository(uow.session).set_umk_rate(branch, effective, amount)
            uow.audit("rules.set_umk", f"{branch}@{effective.isoformat()}", {"monthly_rupiah": amount}, reason=reason)
            # Welfare keeps a replica of the UMK table (W-S-2: wage at most 300% of the UMK).
            publish_version(uow, "contributions", UMK_TABLE, branch, effective, {"monthly_rupiah": amount}, reason)
            return rules_pb2.SetUmkRateResponse(rate=msg.umk_to_proto(branch, effective, amount))

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
        raise RuleViolation(rule_id, f"period {latest} is already billed; a change from {first_affected} would alter issued bills",
                            code="ALTERS_ISSUED_BILLS")


def _reason(text: str) -> str:
    if not text.strip():
        raise InvalidArgument.field("reason", "required: why the rules change (the regulation)")
    return text.strip()


def _year_of(day: date, field: str) -> None:
    if not 1900 <= day.year <= 9998:
        raise InvalidArgument.field(field, "must be in a year between 1900 and 9998")


def _year(year: int) -> int:
    if not 1900 <= year <= 9998:
        raise InvalidArgument.field("year", "must be a year between 1900 and 9998")
    return year


def build(ctx: ContributionsContext) -> RuleUseCases:
    use_cases = RuleUseCases(ctx)
    use_cases.seed_if_empty()
    return use_cases
