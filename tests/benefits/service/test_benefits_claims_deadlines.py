"""B-JHT-3: a complete JHT claim is paid within 30 days. Each claim carries its due date;
the at-risk list and the Prometheus gauge count the claims with 7 days or fewer left and
those past the limit, from the database, so the gauge is right after a restart too.
The module moves the service's today, so it has a service (and database) of its own."""
from __future__ import annotations

from datetime import date

import pytest
from prometheus_client import REGISTRY

from jamsos.benefits.v1 import claims_pb2 as pb
from services.benefits.bootstrap import definition
from tests.benefits.service.support import SERVICE, TODAY, at, check_all_documents, jht_request, jkk_request, member, rid
from tests.service_harness import start_service


def gauge(deadline: str) -> float | None:
    return REGISTRY.get_sample_value("jamsos_benefits_jht_claims_deadline",
                                     {"service": "benefits", "deadline": deadline})


def at_risk(callers) -> list[tuple[str, int, int]]:
    found = callers.claims(SERVICE).ListClaimsAtRisk(pb.ListClaimsAtRiskRequest(branch_code="KC-BINJAI")).claims
    return [(c.claim_id, c.deadline, c.days_left) for c in found]


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_claims_nearing_and_past_the_30_days_are_counted_and_listed(service, feed, callers):
    made = []
    for _ in range(2):
        claim = callers.claims(SERVICE).SubmitClaim(jht_request(member(feed, born=date(1960, 1, 1))[0])).claim
        made.append(check_all_documents(callers, claim).claim_id)  # complete on 2024-06-03: due 2024-07-03
    callers.claims(SERVICE).SubmitClaim(jht_request(member(feed, born=date(1960, 1, 1))[0]))  # incomplete: no clock
    assert at_risk(callers) == []
    assert (gauge("at_risk"), gauge("overdue")) == (0, 0)

    service.app.ctx.today = lambda: date(2024, 6, 28)  # 5 days left
    assert sorted(at_risk(callers)) == sorted((cid, pb.DEADLINE_AT_RISK, 5) for cid in made)
    assert (gauge("at_risk"), gauge("overdue")) == (2, 0)

    service.app.ctx.today = lambda: date(2024, 7, 4)  # one day late
    assert sorted(at_risk(callers)) == sorted((cid, pb.DEADLINE_OVERDUE, -1) for cid in made)
    assert (gauge("at_risk"), gauge("overdue")) == (0, 2)

    callers.claims(SERVICE).RejectClaim(pb.RejectClaimRequest(  # a closed claim is no longer counted
        request_id=rid(), claim_id=made[0], rule_id="B-JHT-1", reason_code="STILL_EMPLOYED", reason="works again"))
    assert (gauge("at_risk"), gauge("overdue")) == (0, 1)
    service.app.ctx.today = lambda: TODAY


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_the_gauge_is_recounted_from_the_database_when_the_service_starts(service):
    from services.benefits.adapters.metrics import JHT_CLAIMS_BY_DEADLINE

    JHT_CLAIMS_BY_DEADLINE.labels("benefits", "overdue").set(99)  # whatever a previous process left
    again = start_service(definition(), service.settings.database_url)
    try:
        # The real today is long after 2024-07-03: the one open complete claim is overdue.
        assert gauge("overdue") == 1
    finally:
        again.stop(grace=0)


@pytest.mark.rule("B-JHT-3")
def test_b_jht_3_a_jkk_claim_change_does_not_recount_the_jht_gauge(service, feed, callers, monkeypatch):
    """Only JHT claims have the 30-day clock; recounting after other programmes' changes was
    most of a JKK claim's cost in the claims bench."""
    from services.benefits.application.deadlines import DeadlineGauge

    recounts = []
    real = DeadlineGauge.refresh
    monkeypatch.setattr(DeadlineGauge, "refresh", lambda self: recounts.append(1) or real(self))
    kpj = member(feed)[0]
    claim = callers.claims(SERVICE).SubmitClaim(jkk_request(kpj, at(2024, 5, 2))).claim
    check_all_documents(callers, claim)
    assert recounts == []

    jht = callers.claims(SERVICE).SubmitClaim(jht_request(member(feed, born=date(1960, 1, 1))[0])).claim
    check_all_documents(callers, jht)
    assert recounts == [1]


def test_recounts_asked_for_while_one_runs_are_folded_into_one_more():
    """Changes committed while a recount runs may not be in it: one more recount follows it,
    however many changes came meanwhile, and the callers during the run do not wait for it."""
    import threading

    from services.benefits.application.deadlines import DeadlineGauge

    entered, release = threading.Event(), threading.Event()
    counted = []

    class SlowGauge(DeadlineGauge):
        def refresh(self):
            counted.append(1)
            if len(counted) == 1:
                entered.set()
                release.wait(5)
            return {}

    gauge = SlowGauge(base=None, today=date.today)
    first = threading.Thread(target=gauge.refresh_quietly)
    first.start()
    assert entered.wait(5)
    for _ in range(5):
        gauge.refresh_quietly()  # returns at once: the running recount will count again
    assert counted == [1]
    release.set()
    first.join(5)
    assert counted == [1, 1]
    gauge.refresh_quietly()  # nothing running: counts at once, in the caller
    assert counted == [1, 1, 1]
