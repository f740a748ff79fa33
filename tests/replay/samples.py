"""A realistic payload of every event type a consumer handles, from the event contracts.

`SAMPLES[full proto name](ids)` builds the payload its producer would publish, with the
natural keys of one test (`support.Ids`). The catalogue test fails, naming the type, when
a consumer handles a type that has no builder here: add one, and a replay scenario.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from google.protobuf.message import Message

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.common.v1 import rule_tables_pb2, types_pb2
from jamsos.contributions.v1 import events_pb2 as contributions_events
from jamsos.membership.v1 import events_pb2 as membership_events
from tests.contributions.service.read_model_support import (
    d, employer_registered, family_changed, office_tree, risk_group_changed, rp, wage_changed, worker_died,
    worker_enrolled, worker_terminated, worker_transferred,
)
from tests.replay.support import Ids

START = date(2024, 1, 2)  # workers start here; March 2024 is the billed period of the scenarios
BILLED = date(2024, 3, 1)
WAGE = 4_000_000


def umk_version(ids: Ids, effective: date = date(2024, 1, 1), rupiah: int = 2_900_000) -> rule_tables_pb2.RuleVersionPublished:
    """Contributions' UMK of a branch (C-6a), as welfare replicates it."""
    return rule_tables_pb2.RuleVersionPublished(
        table_name="umk_rates", key=f"KC-R{ids.stem}", effective_from=d(effective),
        payload_json=json.dumps({"monthly_rupiah": rupiah}, sort_keys=True), reason="SK Gubernur")


def bill_issued(ids: Ids, month: int = 4, total: int = 500_000) -> contributions_events.BillIssued:
    return contributions_events.BillIssued(
        bill_number=f"SPI-2024{month:02d}-{ids.npp()}", npp=ids.npp(), branch_code="KC-BINJAI",
        period=types_pb2.Period(year=2024, month=month), kind="REGULAR", total=rp(total),
        due_date=d(date(2024, month + 1, 15)), worker_count=1)


def jht_payout_approved(ids: Ids) -> benefits_events.JhtPayoutApproved:
    """Benefits' approved JHT claim (B-JHT-1), as contributions' ledger settles it."""
    return benefits_events.JhtPayoutApproved(claim_id=f"CLM-{ids.stem}", kpj=ids.kpj(), branch_code="KC-BINJAI",
                                             settle_on=d(date(2024, 4, 2)))


def member_deceased(ids: Ids) -> benefits_events.MemberDeceased:
    """A death benefits established by an approved claim (M-8), as membership records it."""
    return benefits_events.MemberDeceased(kpj=ids.kpj(), npp=ids.npp(), branch_code="KC-BINJAI",
                                          death_date=d(date(2024, 3, 20)), work_accident=False,
                                          claim_id=f"CLM-{ids.stem}")


def member_totally_disabled(ids: Ids) -> benefits_events.MemberTotallyDisabled:
    """A total permanent disability benefits established (B-JKK-6), as membership records it."""
    return benefits_events.MemberTotallyDisabled(kpj=ids.kpj(), npp=ids.npp(), branch_code="KC-BINJAI",
                                                 established_on=d(date(2024, 3, 20)), work_accident=True,
                                                 claim_id=f"CLM-{ids.stem}")


def standing_changed(ids: Ids) -> contributions_events.StandingChanged:
    """An employer fallen into arrears (C-8), as benefits keeps the standing history (B-JPK-6)."""
    return contributions_events.StandingChanged(npp=ids.npp(), branch_code="KC-BINJAI", in_arrears=True,
                                                good_standing=False, arrears=rp(1_250_000), as_of=d(date(2024, 4, 16)))


def jht_settled(ids: Ids) -> contributions_events.JhtSettled:
    """The whole JHT balance paid out on a claim (B-JHT-1), as benefits opens its payment order."""
    return contributions_events.JhtSettled(kpj=ids.kpj(), claim_id=f"CLM-{ids.stem}", amount=rp(18_400_000),
                                           settled_on=d(date(2024, 4, 2)))


SAMPLES: dict[str, Callable[[Ids], Message]] = {
    m.DESCRIPTOR.full_name: build for m, build in (
        (membership_events.OfficeTreeChanged, lambda ids: office_tree()),
        (membership_events.EmployerRegistered, lambda ids: employer_registered(ids.npp(), registered=START)),
        (membership_events.EmployerChanged, lambda ids: risk_group_changed(ids.npp(), 3, BILLED)),
        (membership_events.WorkerEnrolled, lambda ids: worker_enrolled(ids.kpj(), ids.npp(), WAGE, start=START,
                                                                       programs=("JHT", "JKK", "JK", "JPK"))),
        (membership_events.WorkerTransferred, lambda ids: worker_transferred(ids.kpj(), ids.npp(2), ids.npp(), WAGE,
                                                                             date(2024, 3, 1))),
        (membership_events.WorkerWageChanged, lambda ids: wage_changed(ids.kpj(), ids.npp(), 5_000_000, BILLED,
                                                                       previous=WAGE)),
        (membership_events.WorkerFamilyChanged, lambda ids: family_changed(ids.kpj(), ids.npp(), "MARRIED", BILLED)),
        (membership_events.WorkerTerminated, lambda ids: worker_terminated(ids.kpj(), ids.npp(), date(2024, 3, 20))),
        (membership_events.WorkerDied, lambda ids: worker_died(ids.kpj(), ids.npp(), date(2024, 3, 20))),
        (contributions_events.BillIssued, bill_issued),
        (rule_tables_pb2.RuleVersionPublished, umk_version),
        (benefits_events.JhtPayoutApproved, jht_payout_approved),
        (benefits_events.MemberDeceased, member_deceased),
        (benefits_events.MemberTotallyDisabled, member_totally_disabled),
        (contributions_events.StandingChanged, standing_changed),
        (contributions_events.JhtSettled, jht_settled),
    )
}
