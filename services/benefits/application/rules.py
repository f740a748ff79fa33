"""Component `rules`: the benefit rule tables (B-JHT-1/3, B-JKK-1..8, B-JK-1, B-JPK-1..7) as
dated versions the head office lists and adds. A new version takes effect today or later
(decided claims keep the rules of their own day), is stored with who added it and why,
audited, and published (RuleVersionPublished on benefits' topic) in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.benefits.adapters.tables import rule_store
from services.benefits.application.rule_book import RuleBook
from services.benefits.domain.benefit_tables import TableSpec
from services.benefits.domain.rule_changes import with_changes
from services.chassis.errors import FieldViolation, InvalidArgument
from services.chassis.rule_store import require_new_version
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AddVersion:
    """The version in force on `effective_from` with `changes` (figure path, value) applied."""

    spec: TableSpec
    effective_from: date
    changes: tuple[tuple[str, int], ...]
    reason: str
    regulation: str = ""  # JK: the regulation's short name


@dataclass(frozen=True)
class RuleVersion:
    spec: TableSpec
    effective_from: date
    payload: dict[str, Any]
    created_by: str | None  # None: the rule book's seed, not stored (a database without migration 0006)
    reason: str | None


class RuleUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def list(self, session: Session, scope: BranchScope, spec: TableSpec) -> list[RuleVersion]:
        book = RuleBook(session)
        stored = {v.effective_from: v for v in book.stored(spec)}
        return [RuleVersion(spec, v.effective_from, v.to_dict(), stored[v.effective_from].created_by
                            if v.effective_from in stored else None,
                            stored[v.effective_from].reason if v.effective_from in stored else None)
                for v in book.table(spec).versions]

    def add(self, uow: UnitOfWork, scope: BranchScope, command: AddVersion) -> RuleVersion:
        principal = scope.principal
        book = RuleBook(uow.session)
        table = book.table(command.spec)
        require_new_version(principal, command.spec.name, command.effective_from, self.ctx.today(),
                            (v.effective_from for v in table.versions), keeps="decided claims keep the rules of their own day")
        version = _load(command, table.in_force_on(command.effective_from).to_dict())
        payload = version.to_dict()
        rule_store.add_published(uow, "benefits", command.spec.name, command.effective_from, payload,
                                 principal.user_id, command.reason)
        return RuleVersion(command.spec, command.effective_from, payload, principal.user_id, command.reason)


def _load(command: AddVersion, in_force: dict[str, Any]) -> Any:
    """The version in force with the changes, dated and sourced, as the table's own
    `from_dict` reads it; its complaints (a cap below zero, blocks out of order) name the
    figure under `changes`."""
    data = with_changes(in_force, command.changes)
    data.update(effective_from=command.effective_from.isoformat(), source=command.reason[:200])
    if command.regulation:
        if "regulation" not in data:
            raise InvalidArgument.field("regulation", f"{command.spec.name} names no regulation: leave it empty")
        data["regulation"] = command.regulation
    try:
        return command.spec.load(data)
    except InvalidArgument as error:
        raise InvalidArgument([FieldViolation("changes", f"{v.field}: {v.reason}") for v in error.violations]) from None


def build(ctx: ServiceContext) -> RuleUseCases:
    return RuleUseCases(ctx)
