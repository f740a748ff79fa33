"""Employers (M-1, M-7) in the membership database: NPP issuance, rows, risk-group history.

The branch scope (O-2) lives here: `readable`/`writable` answer an employer of a branch
the caller may not see as NotFound (audited) and refuse a change of one it may only read,
and `search` keeps to the caller's branches, so a use case cannot forget the branch.
Employers come back as `StoredEmployer`: the domain's Employer and the date its cached
risk group holds from.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.chassis.repository import ScopedRepository
from services.membership.adapters.tables import employer_addresses, employer_risk_groups, employers, sequences
from services.membership.domain.employers import ConstructionProject, Employer, EmployerKind, EmployerStatus, RiskGroup
from services.membership.domain.numbers import make_npp
from services.membership.domain.pwbd import normalise_address, normalise_company_name

NPP_SEQUENCE = "npp"


@dataclass(frozen=True)
class StoredEmployer:
    """A registered employer as stored: the domain's Employer, its risk group as cached on
    the row, and the date that group holds from (`current_risk_groups` recomputes both)."""

    employer: Employer
    risk_group_since: date

    @property
    def npp(self) -> str:
        return self.employer.npp

    @property
    def branch_code(self) -> str:
        return self.employer.branch_code


def employer_from_row(row: Row[Any]) -> Employer:
    """A stored employer as the domain's Employer (risk group as cached on the row)."""
    project = None
    if row.project_name is not None:
        project = ConstructionProject(row.project_name, row.project_contract_value,
                                      row.project_start_date, row.project_end_date)
    return Employer(
        npp=row.npp, branch_code=row.branch_code, legal_name=row.legal_name, sector=row.sector,
        address=row.address, registration_date=row.registration_date, risk_group=RiskGroup.parse(row.risk_group),
        kind=EmployerKind(row.kind), tax_number=row.tax_number, project=project, status=EmployerStatus(row.status),
    )


def _stored(row: Row[Any]) -> StoredEmployer:
    return StoredEmployer(employer_from_row(row), row.risk_group_effective_date)


class EmployerRepository(ScopedRepository):
    """One transaction's (or read's) view of employers; `scope` is the caller's (O-2)."""

    # ---- issuing numbers ---------------------------------------------------------
    def lock_npp_sequence(self) -> int:
        """Lock the national NPP sequence row and return its next value (M-1).

        The row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
        already serialises writers) makes registrations take turns, so two never get
        the same number, and the NPWP check after it sees every committed registration.
        """
        stmt = select(sequences.c.next_value).where(sequences.c.name == NPP_SEQUENCE).with_for_update()
        value = self.session.execute(stmt).scalar_one_or_none()
        if value is None:
            # The very first registration creates the row. Two first registrations may
            # race: the loser's insert waits for the winner, fails on the key inside a
            # savepoint, and it then locks the winner's row like any later registration.
            try:
                with self.session.begin_nested():
                    self.session.execute(insert(sequences).values(name=NPP_SEQUENCE, next_value=1))
            except IntegrityError:
                pass
            value = self.session.execute(stmt).scalar_one()
        return int(value)

    def issue_npp(self, sequence_value: int) -> str:
        """The NPP for `sequence_value` (from `lock_npp_sequence`), advancing the sequence."""
        self.session.execute(
            update(sequences).where(sequences.c.name == NPP_SEQUENCE).values(next_value=sequence_value + 1)
        )
        return make_npp(sequence_value)

    # ---- single employers ----------------------------------------------------------
    def get(self, npp: str) -> StoredEmployer | None:
        """The employer, unscoped: for re-reading one `writable` already let through."""
        row = self.session.execute(select(employers).where(employers.c.npp == npp)).first()
        return _stored(row) if row else None

    def readable(self, npp: str) -> StoredEmployer:  # type: ignore[override]
        """The employer, or NotFound, also when it is of a branch the caller may not read."""
        return _stored(super().readable(select(employers).where(employers.c.npp == npp),
                                        employers.c.branch_code, "employer", npp))

    def writable(self, npp: str) -> StoredEmployer:  # type: ignore[override]
        """The employer, locked for the change: NotFound when unknown or hidden,
        PermissionDenied when the caller may only read it."""
        return _stored(super().writable(select(employers).where(employers.c.npp == npp),
                                        employers.c.branch_code, "employer", npp))

    def tax_number_taken(self, npwp: str) -> bool:
        """Whether an employer (of any branch: one employer per NPWP, M-1) holds `npwp`."""
        with self.every_branch():  # national, so across the row security of branches
            return self.session.execute(
                select(employers.c.npp).where(employers.c.tax_number == npwp).limit(1)).first() is not None

    def add(self, employer: Employer) -> None:
        now = datetime.now(UTC)
        project = employer.project
        self.session.execute(insert(employers).values(
            npp=employer.npp, branch_code=employer.branch_code, legal_name=employer.legal_name,
            name_normalised=normalise_company_name(employer.legal_name), sector=employer.sector,
            address=employer.address, address_normalised=normalise_address(employer.address),
            registration_date=employer.registration_date, risk_group=employer.risk_group.number,
            risk_group_effective_date=employer.registration_date, tax_number=employer.tax_number,
            kind=employer.kind.value, status=employer.status.value,
            project_name=project.project_name if project else None,
            project_contract_value=project.contract_value_rupiah if project else None,
            project_start_date=project.start_date if project else None,
            project_end_date=project.end_date if project else None,
            created_at=now, updated_at=now,
        ))
        self.session.execute(insert(employer_addresses).values(
            npp=employer.npp, effective_date=employer.registration_date, address=employer.address))
        # The history starts with the registration: C-3 rates are looked up per period.
        self.session.execute(insert(employer_risk_groups).values(
            npp=employer.npp, effective_date=employer.registration_date, risk_group=employer.risk_group.number))

    def record_address(self, npp: str, effective_date: date, address: str, today: date) -> None:
        """Add (or replace, for the same date) an address row, then refresh the cached one.

        As with risk groups, `employers.address` caches the address in force on the day of
        the change (PWBD matching searches it); reads take it from the history
        (`current_addresses`), so a change dated ahead takes over on its day without a job.
        """
        self.session.execute(delete(employer_addresses).where(
            employer_addresses.c.npp == npp, employer_addresses.c.effective_date == effective_date))
        self.session.execute(insert(employer_addresses).values(npp=npp, effective_date=effective_date, address=address))
        current = self.current_addresses([npp], today).get(npp)
        if current is not None:
            self.session.execute(update(employers).where(employers.c.npp == npp).values(
                address=current[0], address_normalised=normalise_address(current[0]), updated_at=datetime.now(UTC)))

    def current_addresses(self, npps: list[str], day: date) -> dict[str, tuple[str, date]]:
        """npp -> (address, since) in force on `day`: the latest row on or before it."""
        if not npps:
            return {}
        rows = self.session.execute(
            select(employer_addresses.c.npp, employer_addresses.c.effective_date, employer_addresses.c.address)
            .where(employer_addresses.c.npp.in_(npps), employer_addresses.c.effective_date <= day)
            .order_by(employer_addresses.c.npp, employer_addresses.c.effective_date)
        ).all()
        return {r.npp: (r.address, r.effective_date) for r in rows}  # later dates overwrite earlier

    def record_risk_group(self, npp: str, effective_date: date, risk_group: int, today: date) -> None:
        """Add (or replace, for the same date) a risk-group row, then refresh the current one.

        The `employers.risk_group` columns cache "the latest row with effective_date <=
        today" at the time of the change; reads recompute it (`current_risk_groups`) so
        a future-dated change takes over on its date without a job.
        """
        self.session.execute(delete(employer_risk_groups).where(
            employer_risk_groups.c.npp == npp, employer_risk_groups.c.effective_date == effective_date))
        self.session.execute(insert(employer_risk_groups).values(
            npp=npp, effective_date=effective_date, risk_group=risk_group))
        current = self.current_risk_groups([npp], today).get(npp)
        if current is not None:
            self.session.execute(update(employers).where(employers.c.npp == npp).values(
                risk_group=current[0], risk_group_effective_date=current[1], updated_at=datetime.now(UTC)))

    def current_risk_groups(self, npps: list[str], today: date) -> dict[str, tuple[int, date]]:
        """npp -> (risk group, since) in force on `today`: the latest row on or before it."""
        if not npps:
            return {}
        rows = self.session.execute(
            select(employer_risk_groups.c.npp, employer_risk_groups.c.effective_date, employer_risk_groups.c.risk_group)
            .where(employer_risk_groups.c.npp.in_(npps), employer_risk_groups.c.effective_date <= today)
            .order_by(employer_risk_groups.c.npp, employer_risk_groups.c.effective_date)
        ).all()
        return {r.npp: (r.risk_group, r.effective_date) for r in rows}  # later dates overwrite earlier

    # ---- lists (scoped, keyset paging by NPP) --------------------------------------
    def list_branch(self, branch_code: str, after_npp: str | None, limit: int) -> list[StoredEmployer]:
        """A branch's employers; a branch the caller may not read is refused (O-2)."""
        self.scope.require_read(branch_code, "employers")
        stmt = select(employers).where(employers.c.branch_code == branch_code)
        return self._page(self.scoped(stmt, employers.c.branch_code), after_npp, limit)

    def search(self, *, npp: str | None = None, name_fragment: str | None = None,
               after_npp: str | None = None, limit: int = 50) -> list[StoredEmployer]:
        """Employers the caller may read with this NPP, or whose normalised name contains
        `name_fragment` (already normalised, so the match is case-insensitive)."""
        stmt = self.scoped(select(employers), employers.c.branch_code)
        if npp is not None:
            stmt = stmt.where(employers.c.npp == npp)
        if name_fragment is not None:
            stmt = stmt.where(employers.c.name_normalised.like(f"%{name_fragment}%"))
        return self._page(stmt, after_npp, limit)

    def _page(self, stmt, after_npp: str | None, limit: int) -> list[StoredEmployer]:
        if after_npp is not None:
            stmt = stmt.where(employers.c.npp > after_npp)
        return [_stored(row) for row in self.session.execute(stmt.order_by(employers.c.npp).limit(limit)).all()]
