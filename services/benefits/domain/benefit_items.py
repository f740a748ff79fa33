"""An assessment as itemised lines: what a benefit claim pays and why, in whole rupiah.

Every calculator (JKK, JK) answers an `Assessment`: lump-sum `BenefitItem`s, each naming
the rule it applies and saying how it was computed, plus `PeriodicBenefit`s paid month by
month. The claims workflow stores and shows these lines as they are, so a member, the
approver (O-4) and an auditor see the same arithmetic.

The small input checks shared by the calculators live here too: money is an int (never a
float or a bool), never negative, never above `MAX_RUPIAH`; a bad value is INVALID_ARGUMENT
naming its field, never an INTERNAL error further down.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.chassis.errors import InvalidArgument
from services.chassis.money import BASIS_POINTS_PER_UNIT, MAX_RUPIAH


@dataclass(frozen=True)
class BenefitItem:
    """One line of an itemised assessment; `amount` is already capped, `claimed` is what the
    receipt asked for when the line is a capped refund (transport, medical, dentures, ...)."""

    code: str
    rule_id: str
    description: str
    amount: int
    claimed: int | None = None

    def __post_init__(self) -> None:
        require_rupiah(self.amount, "amount")
        if self.claimed is not None:
            require_rupiah(self.claimed, "claimed")


@dataclass(frozen=True)
class PeriodicBenefit:
    """A benefit paid month by month (B-JKK-6, B-JKK-7, B-JK-1): `monthly` for `months`."""

    code: str
    rule_id: str
    monthly: int
    months: int

    def __post_init__(self) -> None:
        require_rupiah(self.monthly, "monthly")
        require_count(self.months, "months")

    @property
    def total(self) -> int:
        return self.monthly * self.months


@dataclass(frozen=True)
class Assessment:
    """What a claim pays: lump-sum items plus periodic benefits."""

    items: tuple[BenefitItem, ...]
    periodic: tuple[PeriodicBenefit, ...] = ()

    @property
    def lump_sum(self) -> int:
        """The items together: paid at once."""
        return sum(item.amount for item in self.items)

    @property
    def total(self) -> int:
        """Everything the claim pays, at once and month by month."""
        return self.lump_sum + sum(p.total for p in self.periodic)

    def item(self, code: str) -> BenefitItem | None:
        """The line with this code, if the assessment has one."""
        return next((i for i in self.items if i.code == code), None)


# ---- shared input checks ----------------------------------------------------------------
def is_int(value: object) -> bool:
    """An int that is not a bool (True would otherwise count as 1 rupiah)."""
    return isinstance(value, int) and not isinstance(value, bool)


def require_rupiah(value: object, field: str) -> int:
    """`value` as whole rupiah in 0..MAX_RUPIAH, or InvalidArgument naming `field`."""
    if not is_int(value):
        raise InvalidArgument.field(field, "must be whole rupiah (an integer)")
    assert isinstance(value, int)
    if value < 0:
        raise InvalidArgument.field(field, "must not be negative")
    if value > MAX_RUPIAH:
        raise InvalidArgument.field(field, f"must be at most {rupiah(MAX_RUPIAH)}")
    return value


def require_count(value: object, field: str, *, maximum: int | None = None) -> int:
    """A non-negative whole number (months, days, childbirths), or InvalidArgument."""
    if not is_int(value):
        raise InvalidArgument.field(field, "must be a whole number")
    assert isinstance(value, int)
    if value < 0:
        raise InvalidArgument.field(field, "must not be negative")
    if maximum is not None and value > maximum:
        raise InvalidArgument.field(field, f"must be at most {maximum}")
    return value


def require_day(value: object, field: str) -> date:
    """A calendar date (not a datetime), or InvalidArgument."""
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise InvalidArgument.field(field, "must be a calendar date")
    return value


def within_max(amount: int, field: str) -> int:
    """A computed benefit must stay payable: above MAX_RUPIAH it is refused, naming the
    input that drove it there, rather than stored as a number the wire cannot carry."""
    if amount > MAX_RUPIAH:
        raise InvalidArgument.field(
            field, f"the benefit computed from it ({rupiah(amount)}) exceeds {rupiah(MAX_RUPIAH)}")
    return amount


# ---- how amounts are written in descriptions ---------------------------------------------
def rupiah(amount: int) -> str:
    """Rp6,000,000."""
    return f"Rp{amount:,}"


def percent(rate_bp: int) -> str:
    """7500 bp as 75%, 7050 bp as 70.5%."""
    whole, rest = divmod(rate_bp, BASIS_POINTS_PER_UNIT // 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"
