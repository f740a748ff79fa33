"""PostgreSQL row-level security: the second wall of the branch scope (O-2).

Repositories filter every statement by the caller's branches (`scope.py`,
`repository.py`). Here the database does it too, so that a statement that forgot the
filter still cannot read or change another branch's rows.

- Every table of a service's metadata with a `branch_code` column gets one policy
  (`POLICY`), with ENABLE and FORCE ROW LEVEL SECURITY so that the owner the services
  connect as is held to it as well. Applied after `upgrade head` from the metadata
  (`migrations.upgrade_to_head`), so a new table gets it without a revision of its own.
  A table that holds no branch's data although it has the column (a rule table keyed by
  branch) says so with `info=not_branch_data("why")`.
- Each transaction carries the caller's scope in transaction-local settings, one
  `set_config` when it begins (`install`, and `lookups.py` for the driver's cursor):
  `jamsos.branches`, the branches the caller reads (`*`: every branch, for the head
  office and other services); `jamsos.system = on` for this process's consumers, jobs and
  migrations. Nothing set (no caller) shows nothing: the policy fails closed.
- Inside a caller's transaction, `system_path(...)` is the one named way to see every
  branch for a moment: national uniqueness checks and existence probes, never rows
  handed back to the caller (repository.py's `every_branch()` and its NotFound probe).

The policy is on what the caller may read, for every command: a row the caller cannot
see cannot be updated or deleted either, and a row written must be one it can see. Which
of its visible rows the caller may change (a region reads, does not change) stays with
the repository (`writable()`), which answers it with PermissionDenied rather than by
silently changing nothing. Tables without a `branch_code` column (an entry of a bill,
a claim's documents) are reached through their branch-scoped parent; a policy through
the parent would cost a lookup per row and PostgreSQL refuses COPY into such a table
(bill lines go in by COPY). SQLite has no row security: there only the repositories hold.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Engine, MetaData, Table, event, text
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .context import SYSTEM_KIND, noted_branches, optional_principal
from .scope import scope_for

BRANCH_COLUMN = "branch_code"
BRANCHES = "jamsos.branches"
SYSTEM_FLAG = "jamsos.system"
EVERY_BRANCH = "*"
# Versioned: a changed expression gets a new name, and the old policy is dropped.
POLICY = "jamsos_branch_scope_v1"
_POLICY_PREFIX = "jamsos_branch_scope"
_INFO_KEY = "not_branch_data"
# Two replicas starting together must not both create a policy.
_APPLY_LOCK = "SELECT pg_advisory_xact_lock(hashtext('jamsos.row_security'))"

# NULL or '' (nothing set in this transaction) matches no row.
_VISIBLE = (
    f"current_setting('{SYSTEM_FLAG}', true) = 'on'"
    f" OR current_setting('{BRANCHES}', true) = '{EVERY_BRANCH}'"
    f" OR {BRANCH_COLUMN} = ANY (string_to_array(current_setting('{BRANCHES}', true), ','))"
)
# One statement per transaction: the caller's scope, or the system flag.
SET_SCOPE_SQL = "SELECT set_config(%(name)s, %(value)s, true)"
SYSTEM_SETTING = {"name": SYSTEM_FLAG, "value": "on"}
# Execution option of an engine or connection whose transactions take the system path.
ACROSS_BRANCHES = "jamsos_across_branches"
_SYSTEM_ON = text(f"SELECT set_config('{SYSTEM_FLAG}', 'on', true)")
_SYSTEM_OFF = text(f"SELECT set_config('{SYSTEM_FLAG}', '', true)")


def not_branch_data(reason: str) -> dict[str, str]:
    """`Table(..., info=not_branch_data("why"))`: a table keyed by branch that every office
    may read (a rule table: a region's minimum wage), so it gets no policy."""
    return {_INFO_KEY: reason}


def exemption(table: Table) -> str | None:
    return table.info.get(_INFO_KEY)


def branch_tables(metadata: MetaData) -> list[Table]:
    """The tables of `metadata` holding branch data: a `branch_code` column, no exemption."""
    return [t for t in metadata.sorted_tables if BRANCH_COLUMN in t.columns and exemption(t) is None]


def apply_policies(connection: Connection, metadata: MetaData) -> list[str]:
    """Enable, force and create the policy on every branch table that lacks them; returns
    what it changed. Idempotent: a database already in shape costs one catalog query."""
    if connection.dialect.name != "postgresql":
        return []
    tables = {t.name: t for t in branch_tables(metadata)}
    if not tables:
        return []
    connection.execute(text(_APPLY_LOCK))
    state = connection.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " array_remove(array_agg(p.polname::text), NULL) AS policies"
        " FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid"
        " WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema())"
        " AND c.relname = ANY(:names) GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity"
    ), {"names": sorted(tables)}).all()
    quote = connection.dialect.identifier_preparer.quote
    changes: list[str] = []
    for name, enabled, forced, policies in state:
        table = quote(name)
        statements = [] if enabled else [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
        if not forced:
            statements.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        statements += [f"DROP POLICY {quote(old)} ON {table}" for old in policies
                       if old.startswith(_POLICY_PREFIX) and old != POLICY]
        if POLICY not in policies:
            statements.append(f"CREATE POLICY {POLICY} ON {table} USING ({_VISIBLE}) WITH CHECK ({_VISIBLE})")
        for statement in statements:
            connection.execute(text(statement))
        changes += statements
    return changes


def scope_setting() -> dict[str, str] | None:
    """The setting this transaction begins with, from the caller in context (None: nothing
    to set, so nothing is visible)."""
    principal = optional_principal()
    if principal is None:
        return None
    if principal.kind == SYSTEM_KIND:
        return SYSTEM_SETTING
    noted, readable = noted_branches()
    if not noted:  # no scope built in this request: what the caller's level alone gives
        readable = scope_for(principal, _NoRegions()).readable
    value = EVERY_BRANCH if readable is None else ",".join(sorted(readable))
    return {"name": BRANCHES, "value": value}


class _NoRegions:
    """A region's branches come from the office tree; without a scope built, none."""

    def branches_under(self, office_code: str) -> frozenset[str]:
        return frozenset()


def install(engine: Engine) -> None:
    """Every transaction of `engine` (PostgreSQL) begins with the caller's scope set."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _set_scope_on_begin)


def _set_scope_on_begin(conn: Connection) -> None:
    setting = SYSTEM_SETTING if conn.get_execution_options().get(ACROSS_BRANCHES) else scope_setting()
    if setting is not None:
        # On the driver's connection (psycopg begins its transaction with it): through
        # SQLAlchemy the statement would cost more than the round trip itself.
        conn.connection.driver_connection.execute(SET_SCOPE_SQL, setting)  # type: ignore[union-attr]


class RawExecutor(Protocol):
    """A transaction's driver cursor (`PrebuiltConnection`): SQL in that transaction."""

    @property
    def dialect(self) -> Dialect: ...

    def execute_sql(self, sql: str, params: Any = None) -> None: ...


class ScopedStatements(Protocol):
    """A lookup connection: on PostgreSQL each of its statements carries its scope, so the
    system path is a setting of the connection, not of a transaction (`lookups.py`)."""

    @property
    def dialect(self) -> Dialect: ...

    def every_branch(self) -> AbstractContextManager[None]: ...


Executor = Session | Connection | RawExecutor | ScopedStatements


@contextmanager
def system_path(executor: Executor) -> Iterator[None]:
    """Statements inside see every branch's rows, in the caller's own transaction; the
    caller's scope is back on leaving. For checks across branches (a NIK is national),
    never for rows handed back to the caller."""
    if not enforced(executor):
        yield
        return
    if not isinstance(executor, Session | Connection) and hasattr(executor, "every_branch"):
        with executor.every_branch():  # a lookup: its statements carry the path
            yield
        return
    _run(executor, _SYSTEM_ON)
    try:
        yield
    except DBAPIError:
        raise  # the transaction is aborted: its rollback (or the savepoint's) undoes the flag
    except BaseException:
        _run(executor, _SYSTEM_OFF)
        raise
    _run(executor, _SYSTEM_OFF)


def system_path_steps(*steps: tuple[Any, Any]) -> list[tuple[Any, Any]]:
    """`steps` on the system path, for a query of several statements (`PrebuiltConnection.
    execute_together`): the flag on before them, off after them, in the same query. A step
    that fails aborts the transaction, the flag with it."""
    return [(_SYSTEM_ON.text, None), *steps, (_SYSTEM_OFF.text, None)]


def enforced(executor: Executor) -> bool:
    """Whether the database behind `executor` holds the branch scope itself (PostgreSQL)."""
    return dialect_of(executor).name == "postgresql"


def dialect_of(executor: Executor) -> Dialect:
    """The dialect behind a Session, a Connection or a driver-cursor connection."""
    if isinstance(executor, Session):
        return executor.get_bind().dialect
    return executor.dialect


def _run(executor: Executor, statement: Any) -> None:
    if isinstance(executor, Session | Connection):
        executor.execute(statement)
    else:
        cast(RawExecutor, executor).execute_sql(statement.text)
