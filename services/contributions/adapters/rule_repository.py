"""Rule tables as stored in rule_versions, holidays and umk_rates (C-1..C-6, C-6a, C-9).

`rule_versions` keeps one row per (table, effective_from) with the version as JSON, so
the domain's `to_dict`/`from_dict` are the only (de)serialisation (storage is the chassis's
`RuleStore`). Other components (the JHT ledger, penalties) load their tables through the
same `RuleRepository`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.chassis.upsert import upsert
from services.contributions.adapters.tables import holidays, rule_store, umk_rates
from services.contributions.domain.rule_tables import (
    CONTRIBUTION_RULES_RULE_ID, ContributionRules, JhtReturnRate, JhtReturnRates, RuleTable,
)
from services.contributions.domain.working_days import WorkingDayCalendar

CONTRIBUTION_RULES = "contribution_rules"
JHT_RETURN_RATES = "jht_return_rates"
TABLE_NAMES = (CONTRIBUTION_RULES, JHT_RETURN_RATES)


@dataclass(frozen=True)
class StoredVersion:
    table_name: str
    effective_from: date
    version: ContributionRules | JhtReturnRate
    created_by: str
    created_at: datetime
    reason: str | None


def _load(table_name: str, data: dict) -> ContributionRules | JhtReturnRate:
    return ContributionRules.from_dict(data) if table_name == CONTRIBUTION_RULES else JhtReturnRate.from_dict(data)


def effective_from_of(version: ContributionRules | JhtReturnRate) -> date:
    """A JHT return rate is in force for its calendar year, from 1 January (C-9)."""
    return version.effective_from if isinstance(version, ContributionRules) else date(version.year, 1, 1)


def table_name_of(version: ContributionRules | JhtReturnRate) -> str:
    return CONTRIBUTION_RULES if isinstance(version, ContributionRules) else JHT_RETURN_RATES


def _in_year(year: int):
    return (holidays.c.day >= date(year, 1, 1)) & (holidays.c.day < date(year + 1, 1, 1))


class RuleRepository:
    """The rule tables of one transaction (or read): versions, holidays, UMK rates. Rule
    rows belong to no branch, so this is a plain repository (no scope)."""

    def __init__(self, session: Session):
        self.session = session

    def stored_versions(self, table_name: str) -> list[StoredVersion]:
        return [StoredVersion(v.table_name, v.effective_from, _load(v.table_name, v.payload), v.created_by,
                              v.created_at, v.reason) for v in rule_store.versions(self.session, table_name)]

    def has_version(self, table_name: str, effective_from: date) -> bool:
        return rule_store.has(self.session, table_name, effective_from)

    def add_version(self, version: ContributionRules | JhtReturnRate, created_by: str,
                    reason: str | None) -> None:
        rule_store.add(self.session, table_name_of(version), effective_from_of(version), version.to_dict(),
                       created_by, reason)

    def load_contribution_rules(self) -> RuleTable[ContributionRules]:
        """C-1..C-6: every stored version; `in_force_on` picks one per day."""
        return RuleTable((v.version for v in self.stored_versions(CONTRIBUTION_RULES)), rule_id=CONTRIBUTION_RULES_RULE_ID)

    def load_jht_return_rates(self) -> JhtReturnRates:
        """C-9: the declared yearly JHT return rates."""
        return JhtReturnRates(tuple(v.version for v in self.stored_versions(JHT_RETURN_RATES)))

    def load_calendar(self) -> WorkingDayCalendar:
        """C-6: weekends plus every stored holiday."""
        return WorkingDayCalendar.with_holidays(self.session.execute(select(holidays.c.day)).scalars())

    def holidays_of_year(self, year: int) -> list[tuple[date, str]]:
        rows = self.session.execute(
            select(holidays.c.day, holidays.c.name).where(_in_year(year)).order_by(holidays.c.day)
        ).all()
        return [(r.day, r.name) for r in rows]

    def holiday_name(self, day: date) -> str | None:
        return self.session.execute(select(holidays.c.name).where(holidays.c.day == day)).scalar()

    def put_holiday(self, day: date, name: str) -> None:
        """One holiday added, or renamed when the day is already one."""
        self.session.execute(delete(holidays).where(holidays.c.day == day))
        self.session.execute(insert(holidays), [{"day": day, "name": name}])

    def remove_holiday(self, day: date) -> bool:
        return bool(self.session.execute(delete(holidays).where(holidays.c.day == day)).rowcount)

    def replace_holidays(self, year: int, days: list[tuple[date, str]]) -> None:
        self.session.execute(delete(holidays).where(_in_year(year)))
        if days:
            self.session.execute(insert(holidays), [{"day": d, "name": n} for d, n in days])

    def umk_in_force(self, branch_code: str, day: date) -> int | None:
        """C-6a: the UMK of a branch's area in force on `day`, None when none is recorded."""
        return self.session.execute(
            select(umk_rates.c.monthly_rupiah)
            .where(umk_rates.c.branch_code == branch_code, umk_rates.c.effective_from <= day)
            .order_by(umk_rates.c.effective_from.desc()).limit(1)
        ).scalar()

    def has_any_version(self) -> bool:
        """Whether any rule version is stored (first start seeds the tables when none is)."""
        return self.session.execute(select(rule_store.table.c.table_name).limit(1)).first() is not None

    def umk_rates_of(self, branch_code: str = "") -> list[tuple[str, date, int]]:
        """(branch, effective_from, monthly rupiah) of every UMK rate, or of one branch's."""
        statement = select(umk_rates).order_by(umk_rates.c.branch_code, umk_rates.c.effective_from)
        if branch_code:
            statement = statement.where(umk_rates.c.branch_code == branch_code)
        return [(r.branch_code, r.effective_from, r.monthly_rupiah) for r in self.session.execute(statement).all()]

    def set_umk_rate(self, branch_code: str, effective_from: date, monthly_rupiah: int) -> None:
        """C-6a: the UMK of a branch area from a date (a second rate for the same date replaces it)."""
        upsert(self.session, umk_rates, {"branch_code": branch_code, "effective_from": effective_from,
                                         "monthly_rupiah": monthly_rupiah}, ["branch_code", "effective_from"])
