"""JK (jaminan kematian): the death benefit when the death is not from a work accident (B-JK-1).

Paid to the heirs in order: the widow or widower and the children; failing them, blood
relatives to the 2nd degree (parents, siblings, grandparents, grandchildren); failing
them, whoever the will names. The amounts come from the version of `JK_RULES` in force on
the date of death (`benefit_rules.jk_rules_on`): a lump sum, the funeral cost, a periodic
benefit (monthly, or at once when the heirs choose or the version only pays it at once),
and, in the versions that have one, a scholarship.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from services.chassis.errors import InvalidArgument

from .benefit_items import Assessment, BenefitItem, PeriodicBenefit, rupiah
from .benefit_rules import JkRules

NAME_MAX = 100


class HeirRelation(str, Enum):
    """The heir's relation to the deceased member."""

    SPOUSE = "SPOUSE"  # janda / duda
    CHILD = "CHILD"
    PARENT = "PARENT"
    SIBLING = "SIBLING"
    GRANDPARENT = "GRANDPARENT"
    GRANDCHILD = "GRANDCHILD"
    WILL_NAMED = "WILL_NAMED"  # named in the will (wasiat)


#: B-JK-1: the ranks of heirs; the first rank with anyone in it inherits, wholly.
HEIR_RANKS: tuple[frozenset[HeirRelation], ...] = (
    frozenset({HeirRelation.SPOUSE, HeirRelation.CHILD}),
    frozenset({HeirRelation.PARENT, HeirRelation.SIBLING, HeirRelation.GRANDPARENT, HeirRelation.GRANDCHILD}),
    frozenset({HeirRelation.WILL_NAMED}),
)


@dataclass(frozen=True)
class Heir:
    name: str
    relation: HeirRelation
    nik: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidArgument.field("heirs.name", "is required")
        if len(self.name) > NAME_MAX:
            raise InvalidArgument.field("heirs.name", f"must be at most {NAME_MAX} characters")
        if not isinstance(self.relation, HeirRelation):
            raise InvalidArgument.field("heirs.relation", "must be one of " + ", ".join(r.value for r in HeirRelation))
        if not isinstance(self.nik, str):
            raise InvalidArgument.field("heirs.nik", "must be text")


def heir_rank(relation: HeirRelation) -> int:
    """0 for spouse and children, 1 for the 2nd-degree blood relatives, 2 for the will."""
    return next(rank for rank, members in enumerate(HEIR_RANKS) if relation in members)


def heirs_in_order(candidates: Sequence[Heir]) -> tuple[Heir, ...]:
    """B-JK-1: the candidates of the first rank present, in the order given (a spouse and
    children together; else the blood relatives; else the will's). Empty when there are none:
    the claim cannot be paid, which the claims workflow says with its own rule."""
    if not candidates:
        return ()
    if not all(isinstance(c, Heir) for c in candidates):
        raise InvalidArgument.field("heirs", "must be heirs")
    best = min(heir_rank(c.relation) for c in candidates)
    return tuple(c for c in candidates if heir_rank(c.relation) == best)


def assess_jk(rules: JkRules, *, periodic_at_once: bool) -> Assessment:
    """B-JK-1 with the version of the date of death: lump sum, funeral, periodic benefit
    (monthly, or `periodic_at_once` when the heirs choose it), scholarship where the version
    has one. A version that only pays the periodic benefit at once pays it at once whatever
    the choice, and its line says so."""
    if not isinstance(periodic_at_once, bool):
        raise InvalidArgument.field("periodic_at_once", "must be a boolean")
    items = [
        BenefitItem("JK_LUMP_SUM", "B-JK-1", f"death benefit lump sum ({rules.regulation})", rules.lump_sum),
        BenefitItem("FUNERAL", "B-JK-1", f"funeral cost ({rules.regulation})", rules.funeral),
    ]
    periodic: tuple[PeriodicBenefit, ...] = ()
    if periodic_at_once or not rules.periodic_monthly_offered:
        why = "as the heirs chose" if rules.periodic_monthly_offered else f"{rules.regulation} pays it at once"
        items.append(BenefitItem(
            "JK_PERIODIC_AT_ONCE", "B-JK-1",
            f"periodic benefit {rules.periodic_months} x {rupiah(rules.periodic_monthly)} paid at once, {why}",
            rules.periodic_at_once))
    else:
        periodic = (PeriodicBenefit("JK_PERIODIC", "B-JK-1", rules.periodic_monthly, rules.periodic_months),)
    if rules.scholarship:
        items.append(BenefitItem("JK_SCHOLARSHIP", "B-JK-1", f"scholarship ({rules.regulation})", rules.scholarship))
    return Assessment(tuple(items), periodic)
