"""The welfare rule tables as a component: every version in force from its date, seeded
from the rule book, added by the head office with the regulation as its reason, audited
and published (RuleVersionPublished on welfare's topic) in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.chassis.rule_store import require_new_version
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.tables import rule_store
from services.welfare.application.rule_book import RuleBook, TableSpec


@dataclass(frozen=True)
class ListVersions:
    spec: TableSpec[Any]


@dataclass(frozen=True)
class AddVersion:
    spec: TableSpec[Any]
    effective_from: date
    figures: dict[str, int]
    reason: str


@dataclass(frozen=True)
class RuleVersion:
    spec: TableSpec[Any]
    effective_from: date
    figures: dict[str, int]
    created_by: str | None
    reason: str | None


def figures_of(version: Any) -> dict[str, int]:
    return {k: v for k, v in version.to_dict().items() if k != "effective_from"}


class RuleUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def list(self, session: Session, scope: BranchScope, query: ListVersions) -> list[RuleVersion]:
        book = RuleBook(session)
        stored = {v.effective_from: v for v in book.stored(query.spec)}
        return [RuleVersion(query.spec, v.effective_from, figures_of(v),
                            stored[v.effective_from].created_by if v.effective_from in stored else None,
                            stored[v.effective_from].reason if v.effective_from in stored else None)
                for v in book.table(query.spec).versions]

    def add(self, uow: UnitOfWork, scope: BranchScope, command: AddVersion) -> RuleVersion:
        principal = scope.principal
        book = RuleBook(uow.session)
        require_new_version(principal, command.spec.name, command.effective_from, self.ctx.today(),
                            (v.effective_from for v in book.table(command.spec).versions),
                            keeps="decided applications keep the rules of their own date")
        version = command.spec.load({"effective_from": command.effective_from.isoformat(), **command.figures})
        rule_store.add_published(uow, "welfare", command.spec.name, command.effective_from, version.to_dict(),
                                 principal.user_id, command.reason)
        return RuleVersion(command.spec, command.effective_from, figures_of(version), principal.user_id, command.reason)


def build(ctx: ServiceContext) -> RuleUseCases:
    return RuleUseCases(ctx)
