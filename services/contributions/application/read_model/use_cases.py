"""The membership read model: employers, workers, employments and effective-dated facts
as contributions needs them (from membership's events; membership's database is never read).

The tables and handlers are the chassis's membership replica (`membership_replica.py`);
what is contributions' own is what a change does to periods already billed: a change that
takes effect in a billed period issues a correction bill in the same transaction
(`billing.corrections`, C-5), through the replica's hooks. OfficeTreeChanged replaces the
office tree used for the branch scope of every request (O-2), through the chassis's office
replica, on the same consumer.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from services.chassis.consumer import HandlerRegistry
from services.chassis.membership_replica import EmploymentChange
from services.chassis.runtime import ConsumerSpec
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.read_model_store import register_membership, register_office_tree
from services.contributions.application.billing.corrections import correct_billed_periods, correct_worker_billing
from services.contributions.application.context import ContributionsContext

CONSUMER = "contributions-membership"


class BilledPeriodCorrections:
    """The replica's hooks: a change reaching into billed periods is billed as a correction (C-5)."""

    def __init__(self, today: Callable[[], date]):
        self.today = today

    def employments_changed(self, uow: UnitOfWork, changes: Sequence[EmploymentChange],
                            apply: Callable[[], None]) -> None:
        """M-3, M-8: workers join or leave billed periods (enrolment, transfer, PHK, death)."""
        correct_worker_billing(uow, changes, apply)

    def fact_changed(self, uow: UnitOfWork, *, since: date, apply: Callable[[], None],
                     kpj: str | None = None, npp: str | None = None) -> None:
        """C-1..C-4: a wage, marital status (JPK 3% / 6%) or risk group (JKK) from `since` on."""
        correct_billed_periods(uow, since=since, today=self.today(), kpj=kpj, npp=npp, apply=apply)


class ReadModel:
    def __init__(self, ctx: ContributionsContext):
        self.ctx = ctx
        # In batches: the replica's upserts and the corrections' records all go through the
        # unit of work's session, and the office tree's directory is only read by requests.
        self.registry = HandlerRegistry(in_batches=True)
        register_membership(self.registry, BilledPeriodCorrections(ctx.today))
        register_office_tree(self.registry, ctx.directory)  # O-1, O-2: the tree the branch scope uses


def build(ctx: ContributionsContext) -> ReadModel:
    return ReadModel(ctx)


def consumers(read_model: ReadModel) -> list[ConsumerSpec]:
    return [ConsumerSpec(CONSUMER, ("membership",), read_model.registry)]
