"""JPK family coverage (M-6).

A married worker's covered dependants are the spouse and at most 3 children, each under
21 and unmarried. A child who reaches 21 or marries drops out. Choices made here:

- Only a MARRIED worker has dependants. A divorced or widowed worker's children are not
  covered: seed 003 grants family coverage to the "tenaga kerja berkeluarga" (married
  worker) and JPK charges the married rate (C-4) only for them.
- When more than 3 children are eligible, the 3 oldest eligible on the date are covered
  (birth date, then the family-card order for twins). So when the eldest turns 21 or
  marries, the next child moves up, rather than a later-born child never being covered.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from services.chassis.errors import FieldViolation, InvalidArgument, Violations

from .nik import normalise_nik, parse_nik
from .person import MaritalStatus
from .values import add_years, age_on, clean_text, collect, parse_enum, require_date
from .worker_rules import FAMILY_RULES, family_rules_on

NAME_MAX = 100


class Relation(str, Enum):
    SPOUSE = "SPOUSE"  # suami / istri
    CHILD = "CHILD"  # anak


@dataclass(frozen=True)
class FamilyMember:
    """One line of the family list (Daftar Susunan Keluarga, form Jamsostek 1a).

    Build it with a Relation; `validate_family` also accepts the relation as text.
    """

    name: str
    relation: Relation
    birth_date: date
    married: bool = False
    nik: str | None = None
    order: int | None = None  # birth order on the family card (1 = eldest)
    # Stable id: given on first record, kept while later lists name the same person.
    member_id: str | None = None


def _child_sort_key(child: FamilyMember) -> tuple[date, int, str]:
    return (child.birth_date, child.order if child.order is not None else 0, child.name)


def is_eligible_child(child: FamilyMember, on_date: date) -> bool:
    """A child counts on `on_date` when born, under 21 and unmarried (M-6)."""
    return (
        child.relation == Relation.CHILD
        and child.birth_date <= on_date
        and age_on(child.birth_date, on_date) < family_rules_on(on_date).child_age_limit
        and not child.married
    )


def covered_dependants(
    worker_marital_status: MaritalStatus, family: Iterable[FamilyMember], on_date: date
) -> tuple[FamilyMember, ...]:
    """The dependants covered by JPK on `on_date` (M-6): spouse first, then children eldest first."""
    if worker_marital_status is not MaritalStatus.MARRIED:
        return ()
    family = list(family)
    spouses = [m for m in family if m.relation == Relation.SPOUSE and m.birth_date <= on_date][:1]
    children = sorted((m for m in family if is_eligible_child(m, on_date)), key=_child_sort_key)
    return tuple(spouses + children[:family_rules_on(on_date).max_covered_children])


def child_coverage_ends_on(child: FamilyMember) -> date:
    """The day a child drops out by age (M-6): the birthday of the age limit in force that
    day (the 21st; 1 March for 29 February). A later version that changes the limit
    applies from its own date: the first day on which the child is too old under the rules
    of that day."""
    versions = FAMILY_RULES.versions
    for index, version in enumerate(versions):
        ends = add_years(child.birth_date, version.child_age_limit)
        starts = version.effective_from if index else date.min
        until = versions[index + 1].effective_from if index + 1 < len(versions) else date.max
        if ends < until:
            return max(ends, starts)
    raise AssertionError("the last version has no end")


def validate_family(
    worker_birth_date: date,
    worker_marital_status: MaritalStatus,
    family: Sequence[FamilyMember],
    today: date,
) -> None:
    """Check a reported family list (M-6), raising InvalidArgument listing every problem.

    Fields are named "family[i].<field>". Checks: name present; birth date not in the
    future; a child born after the worker; a spouse only for a married worker and at most
    one; birth orders positive and distinct; a NIK, when given, well formed, agreeing with
    the birth date and not repeated.
    """
    v = Violations()
    spouses = 0
    orders: set[int] = set()
    niks: set[str] = set()
    for i, member in enumerate(family):
        at = f"family[{i}]"
        clean_text(member.name, f"{at}.name", v, max_length=NAME_MAX)
        relation = collect(v, parse_enum, Relation, member.relation, f"{at}.relation")
        if require_date(member.birth_date, f"{at}.birth_date", v) is None or relation is None:
            continue
        if member.birth_date > today:
            v.add(f"{at}.birth_date", f"{member.birth_date.isoformat()} is in the future")
        if relation is Relation.SPOUSE:
            spouses += 1
            if worker_marital_status is not MaritalStatus.MARRIED:
                v.add(f"{at}.relation", f"a spouse can only be recorded for a married worker "
                                        f"(the worker is {worker_marital_status.value})")
            elif spouses > 1:
                v.add(f"{at}.relation", "at most one spouse is covered")
        else:
            if member.birth_date <= worker_birth_date:
                v.add(f"{at}.birth_date", f"a child born {member.birth_date.isoformat()} is not younger "
                                          f"than the worker (born {worker_birth_date.isoformat()})")
            if member.order is not None:
                if member.order < 1:
                    v.add(f"{at}.order", "birth order starts at 1")
                elif member.order in orders:
                    v.add(f"{at}.order", f"birth order {member.order} is used twice")
                orders.add(member.order)
        if member.nik:
            _check_member_nik(member, f"{at}.nik", niks, v)
    v.raise_if_any()


def _check_member_nik(member: FamilyMember, field: str, seen: set[str], v: Violations) -> None:
    try:
        info = parse_nik(member.nik)
    except InvalidArgument as error:
        v.items.extend(FieldViolation(field, item.reason) for item in error.violations)
        return
    if not info.matches_birth_date(member.birth_date):
        v.add(field, f"the NIK's birth date disagrees with {member.birth_date.isoformat()}")
    key = normalise_nik(member.nik)
    if key in seen:
        v.add(field, "the same NIK appears twice in the family")
    seen.add(key)


def _same_person_key(member: FamilyMember) -> tuple[str, str, date]:
    return (Relation(member.relation).value, " ".join(member.name.casefold().split()), member.birth_date)


def assign_member_ids(previous: Sequence[FamilyMember], reported: Sequence[FamilyMember],
                      new_id: Callable[[], str]) -> tuple[FamilyMember, ...]:
    """The reported list with a stable id on every member (M-6), so a client can match
    covered dependants across changes. A member keeps the id of the previous member it
    names: the id the client sent back, else the same NIK, else the same relation, name
    (case and spacing aside) and birth date. Anyone else is new and gets `new_id()`.
    An id the client sent that is not of this family, or sent twice, is InvalidArgument
    on "family[i].member_id"."""
    known = {m.member_id: m for m in previous if m.member_id}
    taken: set[str] = set()
    ids: list[str | None] = [None] * len(reported)
    v = Violations()
    for i, member in enumerate(reported):
        if member.member_id:
            if member.member_id not in known:
                v.add(f"family[{i}].member_id", f"{member.member_id} is not a member of this family")
            elif member.member_id in taken:
                v.add(f"family[{i}].member_id", f"{member.member_id} is used twice")
            taken.add(member.member_id)
            ids[i] = member.member_id
    v.raise_if_any()
    free = [m for m in previous if m.member_id and m.member_id not in taken]
    matchers: tuple[Callable[[FamilyMember], object], ...] = (
        lambda m: normalise_nik(m.nik) if m.nik else None, _same_person_key)
    for key in matchers:
        for i, member in enumerate(reported):
            wanted = key(member)
            if ids[i] is not None or wanted is None:
                continue
            match = next((m for m in free if key(m) == wanted), None)
            if match is not None:
                free.remove(match)
                ids[i] = match.member_id
    return tuple(replace(m, member_id=ids[i] or new_id()) for i, m in enumerate(reported))
