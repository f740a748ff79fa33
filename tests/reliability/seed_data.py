"""Members to probe: an employer and a worker of one branch, made the way each service
makes them (membership through its API; contributions' read model and bills through the
helpers its own tests use)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jamsos.membership.v1 import cards_pb2
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import add_bill, add_employer, add_worker
from tests.contributions.service.read_model_support import Feed, office_tree
from tests.membership.service.workers_fixtures import (
    BORN, cards_of, enrol, new_nik, register_employer, request_id,
)
from tests.service_harness import Caller, token_for

ADMIN = "ADMINISTRATION_OFFICER"
BILL_PERIOD = Period(2024, 1)


@dataclass(frozen=True)
class Member:
    branch: str
    npp: str
    kpj: str
    nik: str = ""
    birth_date: date = BORN
    bill_number: str = ""


def callers(running):
    """`as_user(office, *roles)` on a running service, as the service tests' helpers take it."""

    def as_user(office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(running.channel, token_for(office, *roles, user=user))

    return as_user


def membership_member(running, branch: str = "KC-BINJAI", nik: str | None = None) -> Member:
    """An employer registered by the branch's marketing officer, a worker enrolled by its
    administration officer, and the worker's KPJ card."""
    as_user = callers(running)
    npp = register_employer(as_user, branch)
    nik = nik or new_nik()
    kpj = enrol(as_user, npp, office=branch, nik=nik).worker.kpj
    cards_of(as_user, branch).IssueCard(cards_pb2.IssueCardRequest(
        request_id=request_id(), kpj=kpj, card_type=cards_pb2.CARD_TYPE_KPJ))
    return Member(branch, npp, kpj, nik)


def contributions_member(running, npp: str, kpj: str, branch: str = "KC-BINJAI") -> Member:
    """The office tree, an employer and a worker in the read model, and one open bill."""
    runtime = running.runtime
    Feed(runtime)(office_tree())
    add_employer(runtime, npp, branch)
    add_worker(runtime, kpj, npp, branch)
    number = add_bill(runtime, BILL_PERIOD, 1_000_000, date(2024, 2, 15), npp=npp, branch=branch)
    return Member(branch, npp, kpj, bill_number=number)
