"""Base of every repository whose rows belong to a branch (O-2): the scope lives here.

A repository is built with the caller's `BranchScope`; every statement it runs for a list
goes through `scoped()`, and every record it returns by id through `readable()` or
`writable()`, so a use case cannot forget the branch and a record of another branch looks
exactly like one that does not exist (NotFound, audited):

    class PaymentRepository(ScopedRepository):
        def get(self, payment_id) -> Payment:
            row = self.readable(select(payments).where(payments.c.payment_id == payment_id),
                                payments.c.branch_code, "payment", payment_id)
            return _payment(row)

        def of_branch(self, branch) -> list[Payment]:
            return [_payment(r) for r in self.session.execute(self.scoped(select(payments), payments.c.branch_code))]

Consumers and jobs act for the platform: they open `ScopedRepository.for_system(session)`,
the one named path without a branch filter, and only as an in-process principal.

On PostgreSQL the database holds the same scope (row_security.py): a statement that skips
`scoped()` still sees only the caller's branches. A check that must look across branches
inside a caller's request (a NIK is national) runs under `with self.every_branch():`, and
only answers yes or no; never rows for the caller.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from sqlalchemy import ColumnElement, Connection, Row
from sqlalchemy.orm import Session

from .context import SYSTEM, optional_principal
from .errors import NotFound, PermissionDenied
from . import row_security
from .lookups import LookupConnection
from .prebuilt import PrebuiltConnection
from .scope import AnySelect, BranchScope, scope_for

R = TypeVar("R", bound="ScopedRepository")
T = TypeVar("T")


class _EveryBranch:
    """The directory of the system scope: it never needs to look a region up."""

    def branches_under(self, office_code: str) -> frozenset[str]:
        return frozenset()


Executor = Session | Connection | LookupConnection | PrebuiltConnection


class ScopedRepository:
    def __init__(self, session: Executor, scope: BranchScope):
        self.session = session
        self.scope = scope

    @classmethod
    def for_system(cls: type[R], session: Executor) -> R:
        """Every branch, for consumers and jobs of this process; never for a caller from the wire."""
        principal = optional_principal()
        if principal is not None and principal.kind != SYSTEM.kind:
            raise PermissionDenied("the unscoped repository path is for this process's consumers and jobs")
        return cls(session, scope_for(principal or SYSTEM, _EveryBranch()))

    @contextmanager
    def every_branch(self) -> Iterator[None]:
        """The named system path: statements inside see every branch's rows (row security
        included), in this transaction. For checks across branches, never for rows returned."""
        with row_security.system_path(self.session):
            yield

    def found_or_hidden(self, fetch: Callable[[], T | None]) -> T | None:
        """`fetch()` in the caller's scope; when it finds nothing and the database's row
        security may have hidden it, again across branches: only so that the scope check
        the caller makes next (`require_read_record`, `sees`) tells a hidden record from an
        absent one and audits the refusal (O-2). Never hand its result over unchecked."""
        found = fetch()
        if found is None and self.scope.readable is not None and row_security.enforced(self.session):
            with self.every_branch():
                found = fetch()
        return found

    def scoped(self, statement: AnySelect, branch_column: ColumnElement[Any]) -> AnySelect:
        """`statement` limited to the branches the caller may read."""
        return self.scope.filter(statement, branch_column)

    def readable(self, statement: AnySelect, branch_column: ColumnElement[Any], kind: str, key: str,
                 params: dict[str, Any] | None = None) -> Row[Any]:
        """The one row `statement` selects, or NotFound, also when it is another branch's.
        `params` fill a prebuilt statement's `bindparam`s (built once per process, its
        compiled form cached: building a select per call was half a lookup's cost)."""
        row = self._one(statement, branch_column, kind, key, params, lock=False)
        self.scope.require_read_record(row._mapping[branch_column.name], kind, key)
        return row

    def writable(self, statement: AnySelect, branch_column: ColumnElement[Any], kind: str, key: str, *,
                 lock: bool = True, params: dict[str, Any] | None = None) -> Row[Any]:
        """The row, locked for the change; NotFound when hidden, PermissionDenied when read-only."""
        row = self._one(statement, branch_column, kind, key, params, lock=lock)
        self.scope.require_write_record(row._mapping[branch_column.name], kind, key)
        return row

    def _one(self, statement: AnySelect, branch_column: ColumnElement[Any], kind: str, key: str,
             params: dict[str, Any] | None, *, lock: bool) -> Row[Any]:
        if branch_column.name not in statement.selected_columns:
            statement = statement.add_columns(branch_column)
        row = self.session.execute(statement.with_for_update() if lock else statement, params).first()
        if row is None:
            self._hidden_or_absent(statement, branch_column, kind, key, params)
        return row

    def _hidden_or_absent(self, statement: AnySelect, branch_column: ColumnElement[Any], kind: str, key: str,
                          params: dict[str, Any] | None) -> NoReturn:
        """Raises NotFound either way; a row that the database's row security hid is audited
        as a refusal (O-2), as the scope check would have done. Looked at across branches
        (unlocked) for its branch only; nothing of it reaches the caller."""
        if self.scope.readable is not None and row_security.enforced(self.session):
            with self.every_branch():
                hidden = self.session.execute(statement, params).first()
            if hidden is not None:
                self.scope.require_read_record(hidden._mapping[branch_column.name], kind, key)
        raise NotFound(kind, key)
