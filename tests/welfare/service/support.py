"""Helpers for the welfare service tests: a running service whose read model is fed with the
events membership, contributions and benefits publish (through the consumers' own inbox,
no broker), callers with branch and regional tokens, and request builders."""
from __future__ import annotations

import itertools
import json
import uuid
from datetime import date

import grpc
from google.protobuf.message import Message

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import rule_tables_pb2, types_pb2
from jamsos.contributions.v1 import events_pb2 as contributions_events
from jamsos.welfare.v1 import fund_pb2, fund_pb2_grpc
from services.chassis.consumer import EventApplier
from services.chassis.events import make_envelope
from services.welfare.bootstrap import definition
from tests.contributions.service.read_model_support import (  # noqa: F401 - builders re-exported
    employer_registered, office_tree, wage_changed, worker_died, worker_enrolled, worker_terminated,
)
from tests.service_harness import (  # noqa: F401 - error helpers re-exported
    Caller, error_details, rule_of, start_service, token_for, violated_fields, violation_code_of,
)

TODAY = date(2025, 6, 30)
ADMIN, SERVICE, HEAD, FINANCE = "ADMINISTRATION_OFFICER", "SERVICE_OFFICER", "BRANCH_HEAD", "FINANCE_OFFICER"
REGIONAL = "REGIONAL_OFFICER"
_serial = itertools.count(1)


def d(value: date) -> types_pb2.Date:
    return types_pb2.Date(year=value.year, month=value.month, day=value.day)


def rp(amount: int) -> types_pb2.Money:
    return types_pb2.Money(rupiah=amount)


def rid(prefix: str = "rq") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_npp() -> str:
    return f"{next(_serial) % 10:01d}{uuid.uuid4().int % 10_000_000:07d}"


def new_kpj() -> str:
    return f"{uuid.uuid4().int % 100_000_000_000:011d}"


def standing_changed(npp: str, good: bool = True, as_of: date = date(2025, 6, 1),
                     branch: str = "KC-BINJAI") -> contributions_events.StandingChanged:
    return contributions_events.StandingChanged(npp=npp, branch_code=branch, in_arrears=not good, good_standing=good,
                                                arrears=rp(0 if good else 1_500_000), as_of=d(as_of))


def member_deceased(kpj: str, npp: str, work_accident: bool = True, on: date = date(2025, 3, 1),
                    branch: str = "KC-BINJAI") -> benefits_events.MemberDeceased:
    return benefits_events.MemberDeceased(kpj=kpj, npp=npp, branch_code=branch, death_date=d(on),
                                          work_accident=work_accident, claim_id=f"claim-{kpj}")


def member_disabled(kpj: str, npp: str, work_accident: bool = True, on: date = date(2025, 3, 1),
                    branch: str = "KC-BINJAI") -> benefits_events.MemberTotallyDisabled:
    return benefits_events.MemberTotallyDisabled(kpj=kpj, npp=npp, branch_code=branch, established_on=d(on),
                                                 work_accident=work_accident, claim_id=f"claim-{kpj}")


def umk_version(branch: str, rupiah: int, effective: date = date(2025, 1, 1)) -> rule_tables_pb2.RuleVersionPublished:
    return rule_tables_pb2.RuleVersionPublished(table_name="umk_rates", key=branch, effective_from=d(effective),
                                                payload_json=json.dumps({"monthly_rupiah": rupiah}))


class Welfare:
    """A running welfare service: its channel, its consumers, and a fixed today."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.channel = grpc.insecure_channel(f"127.0.0.1:{runtime.grpc_port}")
        base = runtime.app.ctx.base
        self.appliers = {spec.name: EventApplier(spec.name, "welfare", spec.registry, base.unit_of_work)
                         for spec in runtime.definition.consumers(runtime.app)}
        runtime.app.ctx.today = lambda: TODAY
        self.feed(office_tree())

    def feed(self, *payloads: Message) -> list[str]:
        """Each payload to the one consumer that handles its type, as its producer would key it."""
        outcomes = []
        for payload in payloads:
            [name] = [n for n, a in self.appliers.items() if a.registry.get(payload.DESCRIPTOR.full_name)]
            envelope = make_envelope(payload, aggregate_type="test", aggregate_id="test", branch_code="KP",
                                     producer="test")
            outcomes.append(self.appliers[name].apply(envelope))
        return outcomes

    def as_user(self, office: str, *roles: str, user: str | None = None) -> Caller:
        return Caller(self.channel, token_for(office, *roles, user=user))

    def stub(self, stub_cls, office: str, *roles: str, user: str | None = None):
        return self.as_user(office, *roles, user=user)(stub_cls)

    def employer(self, branch: str = "KC-BINJAI", registered: date = date(2020, 1, 6), good: bool | None = True) -> str:
        """A new employer of `branch` in the read model (and its standing, unless None)."""
        npp = new_npp()
        self.feed(employer_registered(npp, branch=branch, registered=registered))
        if good is not None:
            self.feed(standing_changed(npp, good, branch=branch))
        return npp

    def worker(self, npp: str, branch: str = "KC-BINJAI", wage: int = 4_000_000, start: date = date(2020, 2, 3)) -> str:
        kpj = new_kpj()
        self.feed(worker_enrolled(kpj, npp, wage, start=start, branch=branch))
        return kpj

    def fund(self, region: str = "KW-SUMBAGUT", amount: int = 10_000_000_000, fund: int = fund_pb2.FUND_DPKP,
             booked_on: date = date(2025, 1, 2)) -> None:
        self.stub(fund_pb2_grpc.FundServiceStub, "KP", "HEAD_OFFICE_ADMIN").AllocateToFund(
            fund_pb2.AllocateToFundRequest(request_id=rid("fund"), region_code=region, fund=fund, amount=rp(amount),
                                           booked_on=d(booked_on), reference=rid("SK"), reason="DPKP allocation"))

    def close(self) -> None:
        self.channel.close()
        self.runtime.stop(grace=0)


def start_welfare(database_url: str) -> Welfare:
    return Welfare(start_service(definition(), database_url))
