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

from services.chassis.context import HEAD
from services.chassis.errors import AlreadyExists, NotFound, PermissionDenied, RuleViolation
from services.chassis.rule_store import publish_version
from services.chassis.scope import BranchScope
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.bill_queries import latest_billed_period
from services.contributions.adapters.rule_repository import (
    CONTRIBUTION_RULES, JHT_RETURN_RATES, RuleRepository, StoredVersion, effective_from_of,
)
from services.contributions.application.context import ContributionsContext
from services.contributions.application.rules.commands import (
    AddHoliday, AddRuleVersion, GetRulesInForce, Holiday, HolidaysChanged, ListHolidays, ListRuleVersions, ListUmkRates,
    RemoveHoliday, RulesInForce, SetHolidays, SetUmkRate, UmkRate,
)
from services.contributions.application.rules.due_date_moves import move_due_dates
from services.contributions.domain.periods import Period
from services.contributions.domain.roles import ContributionsAction
from services.contributions.domain.rule_tables import (
    SEED_CONTRIBUTION_RULES, SEED_JHT_RETURN_RATES, ContributionRules,
)

UMK_TABLE = "umk_rates"  # the name other services replicate it by


class RuleUseCases:
    """Reads take the caller's scope and a query; changes take the head-office scope
    (`head_office_admin`), the unit of work the entrypoint opens per request id, and a command."""

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

    def head_office_admin(self, action: str) -> BranchScope:
        """O-3: rule tables are the head office's: a HEAD_OFFICE_ADMIN user of the head office."""
        scope = self.ctx.authorise(ContributionsAction.MANAGE_RULE_TABLES)
        principal = scope.principal
        if not principal.is_service and principal.office_level != HEAD:
            raise PermissionDenied(f"O-2: only the head office may {action}")
        return scope

    # ---- reading (any reader: rule tables are national, not a branch's) -----------------
    def list_rule_versions(self, query: ListRuleVersions) -> list[StoredVersion]:
        with self.ctx.base.read_session() as session:
            return RuleRepository(session).stored_versions(query.table)

    def get_rules_in_force(self, query: GetRulesInForce) -> RulesInForce:
        with self.ctx.base.read_session() as session:
            stored = RuleRepository(session)
            rules = stored.load_contribution_rules().in_force_on(query.day)
            rates = stored.load_jht_return_rates()
        declared = [r for r in rates.rates if r.year == query.day.year]
        return RulesInForce(rules, declared[0] if declared else None)

    def list_holidays(self, query: ListHolidays) -> list[Holiday]:
        with self.ctx.base.read_session() as session:
            return [Holiday(d, n) for d, n in RuleRepository(session).holidays_of_year(query.year)]

    def list_umk_rates(self, query: ListUmkRates) -> list[UmkRate]:
        with self.ctx.base.read_session() as session:
            return [UmkRate(*rate) for rate in RuleRepository(session).umk_rates_of(query.branch_code)]

    # ---- changing (head-office administrators) ---------------------------------------
    def add_rule_version(self, uow: UnitOfWork, scope: BranchScope, command: AddRuleVersion) -> StoredVersion:
        version, reason = command.version, command.reason
        effective = effective_from_of(version)
        name = CONTRIBUTION_RULES if isinstance(version, ContributionRules) else JHT_RETURN_RATES
        stored = RuleRepository(uow.session)
        if stored.has_version(name, effective):
            raise AlreadyExists("rule version", f"{name}@{effective.isoformat()}")
        if isinstance(version, ContributionRules):
            _refuse_if_billed(uow.session, _first_period_ruled_from(effective), None, "C-5")
        stored.add_version(version, scope.principal.user_id, reason)
        uow.audit("rules.add_version", f"{name}@{effective.isoformat()}", version.to_dict(), reason=reason)
        publish_version(uow, "contributions", name, "", effective, version.to_dict(), reason)
        return [v for v in stored.stored_versions(name) if v.effective_from == effective][0]

    def set_holidays(self, uow: UnitOfWork, scope: BranchScope, command: SetHolidays) -> HolidaysChanged:
        """C-6: the year's holidays; issued, unpaid bills whose due date they move get the new
        one (`due_date_moves`), settled bills keep theirs."""
        days = [(h.day, h.name) for h in command.holidays]
        RuleRepository(uow.session).replace_holidays(command.year, days)
        uow.audit("rules.set_holidays", str(command.year), {d.isoformat(): n for d, n in days}, reason=command.reason)
        moved = move_due_dates(uow, {command.year}, command.reason)
        return HolidaysChanged(command.holidays, tuple(moved))

    def add_holiday(self, uow: UnitOfWork, scope: BranchScope, command: AddHoliday) -> HolidaysChanged:
        """C-6: one holiday (or a new name for one), the rest of the year untouched."""
        day, name = command.holiday.day, command.holiday.name
        RuleRepository(uow.session).put_holiday(day, name)
        uow.audit("rules.add_holiday", day.isoformat(), {"name": name}, reason=command.reason)
        return HolidaysChanged((command.holiday,), tuple(move_due_dates(uow, {day.year}, command.reason)))

    def remove_holiday(self, uow: UnitOfWork, scope: BranchScope, command: RemoveHoliday) -> HolidaysChanged:
        """C-6: one holiday taken off; NotFound when the day is not one."""
        if not RuleRepository(uow.session).remove_holiday(command.day):
            raise NotFound("holiday", command.day.isoformat())
        uow.audit("rules.remove_holiday", command.day.isoformat(), {}, reason=command.reason)
        return HolidaysChanged((), tuple(move_due_dates(uow, {command.day.year}, command.reason)))

    def set_umk_rate(self, uow: UnitOfWork, scope: BranchScope, command: SetUmkRate) -> UmkRate:
        """C-6a: the UMK of a branch area from a date (a period uses the UMK in force at its end)."""
        rate = command.rate
        _refuse_if_billed(uow.session, Period.of(rate.effective_from), rate.branch_code, "C-6a")
        RuleRepository(uow.session).set_umk_rate(rate.branch_code, rate.effective_from, rate.monthly_rupiah)
        uow.audit("rules.set_umk", f"{rate.branch_code}@{rate.effective_from.isoformat()}",
                  {"monthly_rupiah": rate.monthly_rupiah}, reason=command.reason)
        # Welfare keeps a replica of the UMK table (W-S-2: wage at most 300% of the UMK).
        publish_version(uow, "contributions", UMK_TABLE, rate.branch_code, rate.effective_from,
                        {"monthly_rupiah": rate.monthly_rupiah}, command.reason)
        return rate


def _first_period_ruled_from(effective: date) -> Period:
    """A period takes the version in force on its first day: the first period it rules."""
    period = Period.of(effective)
    return period if effective.day == 1 else period.following()


def _refuse_if_billed(session, first_affected: Period, branch_code: str | None, rule_id: str) -> None:
    latest = latest_billed_period(session, branch_code)
    if latest is not None and latest >= first_affected:
        raise RuleViolation(rule_id, f"period {latest} is already billed; a change from {first_affected} would alter issued bills",
                            code="ALTERS_ISSUED_BILLS")


def build(ctx: ContributionsContext) -> RuleUseCases:
    use_cases = RuleUseCases(ctx)
    use_cases.seed_if_empty()
    return use_cases
