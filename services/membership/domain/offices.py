"""The office tree and what each office may see and change (O-1, O-2).

O-1: one head office (Kantor Pusat), regional offices (Kantor Wilayah) under it, branch
offices (Kantor Cabang) under a regional office; only branches have a class (1, 2, 3).
O-2: every employer, worker, bill, payment, claim and loan belongs to one branch. A branch
reads and writes its own branch only; a regional office reads its branches; the head
office reads everything. Writing from a regional or the head office is allowed only for a
step a rule gives to that level (e.g. the PUMP determination, W-P-3): the caller says so
with `acting_level`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from services.chassis.context import HEAD_OFFICE
from services.chassis.errors import NotFound, PermissionDenied, Violations

from .values import parse_enum


class OfficeLevel(str, Enum):
    """Values match `services.chassis.context` office levels."""

    HEAD = "HEAD"  # Kantor Pusat
    REGIONAL = "REGIONAL"  # Kantor Wilayah
    BRANCH = "BRANCH"  # Kantor Cabang


BRANCH_CLASSES = (1, 2, 3)


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    level: OfficeLevel
    parent_code: str | None = None
    branch_class: int | None = None  # 1, 2 or 3; branches only

    def __post_init__(self) -> None:
        # Accept the level as text too ("BRANCH"), as it comes from a request or a row.
        object.__setattr__(self, "level", parse_enum(OfficeLevel, self.level, "level"))


class OfficeTree:
    """A validated office tree (O-1) answering scope questions (O-2). Immutable.

    Building it raises InvalidArgument (fields "offices[i].code", ".parent_code",
    ".branch_class", ...) listing every problem at once.
    """

    def __init__(self, offices: Iterable[Office]):
        self._offices: dict[str, Office] = {}
        offices = list(offices)
        violations = Violations()
        for i, office in enumerate(offices):
            if not office.code or office.code != office.code.strip():
                violations.add(f"offices[{i}].code", "is required, without surrounding spaces")
            elif office.code in self._offices:
                violations.add(f"offices[{i}].code", f"{office.code} appears twice")
            else:
                self._offices[office.code] = office
        heads = [o for o in offices if o.level is OfficeLevel.HEAD]
        if len(heads) != 1:
            violations.add("offices", f"there must be exactly one head office (found {len(heads)})")
        expected_parent = {OfficeLevel.HEAD: None, OfficeLevel.REGIONAL: OfficeLevel.HEAD,
                           OfficeLevel.BRANCH: OfficeLevel.REGIONAL}
        for i, office in enumerate(offices):
            if not office.name or not office.name.strip():
                violations.add(f"offices[{i}].name", "is required")
            parent_level = expected_parent[office.level]
            parent = self._offices.get(office.parent_code or "")
            if parent_level is None and office.parent_code is not None:
                violations.add(f"offices[{i}].parent_code", "the head office has no parent")
            elif parent_level is not None and (parent is None or parent.level is not parent_level):
                violations.add(
                    f"offices[{i}].parent_code",
                    f"a {office.level.value.lower()} office must be under a "
                    f"{parent_level.value.lower()} office (got {office.parent_code!r})",
                )
            if office.level is OfficeLevel.BRANCH and office.branch_class not in BRANCH_CLASSES:
                violations.add(f"offices[{i}].branch_class", "a branch has class 1, 2 or 3")
            if office.level is not OfficeLevel.BRANCH and office.branch_class is not None:
                violations.add(f"offices[{i}].branch_class", "only branches have a class")
        violations.raise_if_any()
        self._head = heads[0]
        self._branches_of: dict[str, frozenset[str]] = {
            r.code: frozenset(b.code for b in offices if b.parent_code == r.code)
            for r in offices if r.level is OfficeLevel.REGIONAL
        }
        self._all_branches = frozenset(o.code for o in offices if o.level is OfficeLevel.BRANCH)

    # ---- lookups -------------------------------------------------------------------
    @property
    def head(self) -> Office:
        return self._head

    @property
    def offices(self) -> tuple[Office, ...]:
        return tuple(self._offices.values())

    def get(self, code: str) -> Office:
        try:
            return self._offices[code]
        except KeyError:
            raise NotFound("office", code) from None

    def find(self, code: str) -> Office | None:
        return self._offices.get(code)

    def is_branch(self, code: str) -> bool:
        office = self._offices.get(code)
        return office is not None and office.level is OfficeLevel.BRANCH

    def all_branches(self) -> frozenset[str]:
        return self._all_branches

    def regional_office_of(self, branch_code: str) -> str:
        """The regional office a branch belongs to."""
        office = self.get(branch_code)
        if office.level is not OfficeLevel.BRANCH or office.parent_code is None:
            raise NotFound("branch", branch_code)
        return office.parent_code

    # ---- scope (O-2) ---------------------------------------------------------------
    def branches_readable_by(self, office_code: str) -> frozenset[str]:
        """Branch codes whose data `office_code` may read: head all, regional its own, branch itself."""
        office = self._offices.get(office_code)
        if office is None:
            return frozenset()
        if office.level is OfficeLevel.HEAD:
            return self._all_branches
        if office.level is OfficeLevel.REGIONAL:
            return self._branches_of.get(office.code, frozenset())
        return frozenset({office.code})

    def can_read(self, office_code: str, branch_code: str) -> bool:
        return branch_code in self.branches_readable_by(office_code)

    def can_write(
        self, office_code: str, branch_code: str, acting_level: OfficeLevel = OfficeLevel.BRANCH
    ) -> bool:
        """May `office_code` change data owned by `branch_code` (O-2)?

        `acting_level` is the level a rule gives this step to: BRANCH (the default, for
        branch-owned data: only the branch itself), REGIONAL (only the branch's regional
        office, e.g. the PUMP determination) or HEAD (only the head office, e.g. the office
        tree or rule tables).
        """
        office = self._offices.get(office_code)
        if office is None or office.level is not acting_level or not self.is_branch(branch_code):
            return False
        if acting_level is OfficeLevel.BRANCH:
            return office_code == branch_code
        if acting_level is OfficeLevel.REGIONAL:
            return self._offices[branch_code].parent_code == office_code
        return True

    def require_read(self, office_code: str, branch_code: str) -> None:
        """Raise PermissionDenied unless `office_code` may read `branch_code`'s data (O-2)."""
        if not self.can_read(office_code, branch_code):
            raise PermissionDenied(f"O-2: office {office_code} may not read data of branch {branch_code}")

    def require_write(
        self, office_code: str, branch_code: str, acting_level: OfficeLevel = OfficeLevel.BRANCH
    ) -> None:
        """Raise PermissionDenied unless `office_code` may change `branch_code`'s data (O-2)."""
        if not self.can_write(office_code, branch_code, acting_level):
            who = {OfficeLevel.BRANCH: "the branch itself",
                   OfficeLevel.REGIONAL: "the branch's regional office",
                   OfficeLevel.HEAD: "the head office"}[acting_level]
            raise PermissionDenied(
                f"O-2: office {office_code} may not change data of branch {branch_code}; "
                f"only {who} may take this step"
            )


# The embedded default tree (seed 000 names Kanwil Sumbagut and the Binjai branch).
HEAD_OFFICE_CODE = HEAD_OFFICE
DEFAULT_OFFICES: tuple[Office, ...] = (
    Office(HEAD_OFFICE_CODE, "Kantor Pusat", OfficeLevel.HEAD),
    Office("KW-SUMBAGUT", "Kantor Wilayah Sumatera Bagian Utara", OfficeLevel.REGIONAL, HEAD_OFFICE_CODE),
    Office("KW-DKI", "Kantor Wilayah DKI Jakarta", OfficeLevel.REGIONAL, HEAD_OFFICE_CODE),
    Office("KC-MEDAN", "Kantor Cabang Medan", OfficeLevel.BRANCH, "KW-SUMBAGUT", 1),
    Office("KC-BINJAI", "Kantor Cabang Binjai", OfficeLevel.BRANCH, "KW-SUMBAGUT", 2),
    Office("KC-SIBOLGA", "Kantor Cabang Sibolga", OfficeLevel.BRANCH, "KW-SUMBAGUT", 3),
    Office("KC-JAKSEL", "Kantor Cabang Jakarta Selatan", OfficeLevel.BRANCH, "KW-DKI", 1),
    Office("KC-JAKPUS", "Kantor Cabang Jakarta Pusat", OfficeLevel.BRANCH, "KW-DKI", 1),
    Office("KC-JAKTIM", "Kantor Cabang Jakarta Timur", OfficeLevel.BRANCH, "KW-DKI", 2),
)


def default_office_tree() -> OfficeTree:
    """The seed tree used when no tree has been loaded."""
    return OfficeTree(DEFAULT_OFFICES)


def parse_office_level(value: object, field: str = "level") -> OfficeLevel:
    return parse_enum(OfficeLevel, value, field)
