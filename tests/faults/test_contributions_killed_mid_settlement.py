"""Contributions SIGKILLed while it settles JHT claims (B-JHT-1, C-9), then started again.

Claims reach it both ways at once: benefits' JhtPayoutApproved on the benefits topic (the
`ledger-jht-payouts` consumer) and the SettleJht RPC of a benefits service token, retried
with the same request id until answered, as a client that lost its answer would. After the
restart every claim is settled exactly once: one settlement, one part-year return and one
payout posting each, one JhtSettled each (in the outbox and on the broker), the member's
balance 0 and the ledger's trial balance 0. A redelivered JhtPayoutApproved, under its own
event id or a new one, changes nothing: the claim's one JhtSettled stands, and the RPC
answers the same settlement again.
"""
from __future__ import annotations

import threading
import time
from datetime import date

import grpc
import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import func, select

from jamsos.benefits.v1 import events_pb2 as benefits_events
from jamsos.contributions.v1 import events_pb2, ledger_pb2, ledger_pb2_grpc
from services.chassis.config import topic_of
from services.chassis.database import make_engine, make_read_session_factory
from services.chassis.events import make_envelope, parse_envelope, unpack_payload
from services.chassis.kafka_clients import ensure_topics, make_producer
from services.contributions.adapters import ledger_store
from services.contributions.adapters.money_tables import jht_settlements, ledger_entries
from services.contributions.adapters.tables import platform
from services.contributions.application.ledger.use_cases import PAYOUT_CONSUMER
from services.contributions.bootstrap import definition
from services.contributions.domain.jht_ledger import post_contribution
from services.contributions.domain.periods import Period
from tests.contributions.service.money_fixtures import BINJAI, d
from tests.contributions.service.read_model_support import Feed, office_tree
from tests.faults import sizes
from tests.replay.support import redelivered
from tests.service_harness import Caller, service_token_for, start_service

pytestmark = pytest.mark.kafka

POSTED_ON, SETTLE_ON = date(2011, 1, 14), date(2011, 5, 2)
# C-9, B-JHT-1: a contribution credited in January earns the months to the end of April
# (the month before settlement) at 2011's declared 10.10%: 400,000 x 3 x 10.10% / 12 = 10,100;
# the payout is the whole balance, 400,000 + 10,100 = 410,100. Twice and three times that:
CONTRIBUTED = (400_000, 800_000, 1_200_000)
PART_YEAR_RETURN = (10_100, 20_200, 30_300)
PAYOUT = (410_100, 820_200, 1_230_300)


def kpj_of(n: int) -> str:
    return f"3{n:010d}"


def claim_of(n: int) -> str:
    return f"CLAIM-JHT-{n:05d}"


def seeded(url: str, claims: int) -> None:
    """Every member's JHT contribution of December 2010, posted on 14 January 2011."""
    runtime = start_service(definition(), url)
    try:
        Feed(runtime)(office_tree())
        with runtime.app.ctx.base.unit_of_work() as uow:
            for n in range(claims):
                kpj = kpj_of(n)
                ledger_store.insert_posting(uow.session, post_contribution(kpj, CONTRIBUTED[n % 3], Period(2010, 12),
                                                                           POSTED_ON), kpj, BINJAI)
            uow.commit()
    finally:
        runtime.stop(grace=0)


def payout_approved(n: int):
    """JhtPayoutApproved as benefits publishes it: keyed by the claim."""
    return make_envelope(benefits_events.JhtPayoutApproved(claim_id=claim_of(n), kpj=kpj_of(n), branch_code=BINJAI,
                                                           settle_on=d(SETTLE_ON)),
                         aggregate_type="claim", aggregate_id=claim_of(n), branch_code=BINJAI, producer="benefits")


def publish(producer, envelopes) -> None:
    """On the benefits topic, as benefits' relay would, keyed by the claim."""
    for envelope in envelopes:
        producer.send(topic_of("benefits"), key=envelope.aggregate_id.encode(), value=envelope.SerializeToString())
    producer.flush(10)


class Ledger:
    """Reads of the service's database from outside the process."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.sessions = make_read_session_factory(self.engine)

    def count(self, table, *where) -> int:
        with self.sessions() as session:
            return session.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

    def settlements(self) -> dict[str, tuple]:
        with self.sessions() as session:
            rows = session.execute(select(jht_settlements)).all()
        return {r.claim_id: (r.kpj, int(r.amount_rupiah), int(r.part_year_return_rupiah), r.settled_on) for r in rows}

    def postings(self) -> list[tuple[str, str, int]]:
        """(reference, kind, debit side amount) of every posting."""
        with self.sessions() as session:
            return list(session.execute(select(ledger_entries.c.reference, ledger_entries.c.kind,
                                               ledger_entries.c.amount_rupiah)
                                        .where(ledger_entries.c.entry_id.endswith("/DR"))).all())

    def trial_balance(self) -> int:
        with self.sessions() as session:
            return int(session.execute(select(func.coalesce(func.sum(ledger_entries.c.amount_rupiah), 0))).scalar_one())

    def member_balances(self) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(select(ledger_entries.c.account, func.sum(ledger_entries.c.amount_rupiah))
                                   .where(ledger_entries.c.account.startswith("member:"))
                                   .group_by(ledger_entries.c.account)).all()
        return {account: int(total) for account, total in rows}

    def jht_settled(self) -> list[events_pb2.JhtSettled]:
        outbox = platform["outbox"]
        with self.sessions() as session:
            raw = session.execute(select(outbox.c.envelope).where(
                outbox.c.event_type == events_pb2.JhtSettled.DESCRIPTOR.full_name)).scalars().all()
        return [unpack_payload(parse_envelope(bytes(r)), events_pb2.JhtSettled) for r in raw]

    def unpublished(self) -> int:
        outbox = platform["outbox"]
        return self.count(outbox, outbox.c.published_at.is_(None))

    def applied(self, event_id: str) -> bool:
        inbox = platform["inbox"]
        return self.count(inbox, inbox.c.consumer == PAYOUT_CONSUMER, inbox.c.event_id == event_id) == 1


class SettlingClient:
    """Benefits calling SettleJht claim after claim, each retried with its request id until answered."""

    def __init__(self, address: str, claims: list[int], deadline: float = 120):
        self.channel = grpc.insecure_channel(address)
        self.stub = Caller(self.channel, service_token_for("benefits"))(ledger_pb2_grpc.JhtLedgerServiceStub)
        self.claims = claims
        self.deadline = time.monotonic() + deadline
        self.answers: dict[str, ledger_pb2.SettleJhtResponse] = {}
        self.failures: list[str] = []  # status codes of the attempts that got no answer
        self.thread = threading.Thread(target=self._run, name="settling-client", daemon=True)

    def settle(self, n: int, request_id: str | None = None) -> ledger_pb2.SettleJhtResponse:
        return self.stub.SettleJht(ledger_pb2.SettleJhtRequest(
            request_id=request_id or claim_of(n), kpj=kpj_of(n), claim_id=claim_of(n), settled_on=d(SETTLE_ON)), timeout=5)

    def _run(self) -> None:
        for n in self.claims:
            while time.monotonic() < self.deadline:
                try:
                    self.answers[claim_of(n)] = self.settle(n)
                    break
                except grpc.RpcError as exc:
                    self.failures.append(exc.code().name)
                    time.sleep(0.1)


def jht_settled_on_the_broker(bootstrap: str) -> dict[str, set[tuple[str, int]]]:
    """claim id -> the distinct (event id, amount) of the JhtSettled events the broker holds."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    found: dict[str, set[tuple[str, int]]] = {}
    try:
        partitions = [TopicPartition(topic_of("contributions"), p)
                      for p in consumer.partitions_for_topic(topic_of("contributions")) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for messages in consumer.poll(timeout_ms=500).values():
                for message in messages:
                    envelope = parse_envelope(message.value)
                    if envelope.event_type == events_pb2.JhtSettled.DESCRIPTOR.full_name:
                        settled = unpack_payload(envelope, events_pb2.JhtSettled)
                        found.setdefault(settled.claim_id, set()).add((envelope.event_id, settled.amount.rupiah))
    finally:
        consumer.close()
    return found


def wait_for(condition, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


@pytest.mark.rule("B-JHT-1", "C-9")
def test_b_jht_1_claims_settled_across_a_sigkill_are_settled_once_each_and_the_ledger_balances(
        tmp_path, broker, service_processes, size):
    url, bootstrap = f"sqlite:///{tmp_path}/contributions.db", broker.bootstrap_servers
    seeded(url, size.claims)
    by_event, by_rpc = list(range(0, size.claims, 2)), list(range(1, size.claims, 2))
    ledger = Ledger(url)
    ensure_topics(bootstrap, [topic_of("benefits")])
    producer = make_producer(bootstrap, "fault-benefits")
    envelopes = {n: payout_approved(n) for n in by_event}
    # One event per read, each committed: the event path must still be settling when the
    # RPC path starts (batched reads would settle every event claim before it).
    process = service_processes("contributions", url, bootstrap, tmp_path,
                                CONSUMER_MAX_POLL_RECORDS="1", CONSUMER_COMMIT_INTERVAL_MS="0")

    client = SettlingClient(process.address, by_rpc)
    publish(producer, envelopes.values())
    event_claims, rpc_claims = [claim_of(n) for n in by_event], [claim_of(n) for n in by_rpc]
    # The consumer group takes a few seconds to form: the RPCs start once events are settled.
    assert wait_for(lambda: ledger.count(jht_settlements) > 0, timeout=60), process.log_tail()
    client.thread.start()

    def both_part_way() -> bool:  # each way has settled a quarter of its claims, neither all
        done = (ledger.count(jht_settlements, jht_settlements.c.claim_id.in_(event_claims)),
                ledger.count(jht_settlements, jht_settlements.c.claim_id.in_(rpc_claims)))
        return all(len(by_event) // 4 <= n < len(by_event) for n in done)

    assert wait_for(both_part_way, timeout=60, interval=0.005), f"never caught mid-way\n{process.log_tail()}"
    process.sigkill()
    killed = time.monotonic()
    at_kill = (ledger.count(jht_settlements, jht_settlements.c.claim_id.in_(event_claims)),
               ledger.count(jht_settlements, jht_settlements.c.claim_id.in_(rpc_claims)))
    assert sum(at_kill) < size.claims, "the kill came after the last settlement"

    process.start()
    assert wait_for(lambda: ledger.count(jht_settlements) == size.claims, timeout=90, interval=0.2), process.log_tail()
    recovery = time.monotonic() - killed
    client.thread.join(60)
    assert len(client.answers) == len(by_rpc), f"unanswered claims; attempts without answer: {client.failures}"

    # Exactly once, with the hand-computed figures (module docstring, PAYOUT).
    expected = {claim_of(n): (kpj_of(n), PAYOUT[n % 3], PART_YEAR_RETURN[n % 3], SETTLE_ON) for n in range(size.claims)}
    assert ledger.settlements() == expected
    postings = ledger.postings()
    references = [reference for reference, _, _ in postings]
    assert len(references) == len(set(references)), "a posting landed twice"
    for kind, prefix, amounts in (("SETTLEMENT", "JHT-SETTLEMENT/", PAYOUT), ("RETURN", "JHT-RETURN-PART/2011/", PART_YEAR_RETURN)):
        posted = {ref.removeprefix(prefix): abs(amount) for ref, k, amount in postings if k == kind}
        assert posted == {claim_of(n): amounts[n % 3] for n in range(size.claims)}, kind
    assert ledger.trial_balance() == 0
    assert set(ledger.member_balances().values()) == {0}, "a member's balance is left after the payout"
    outbox_settled = [(e.claim_id, e.kpj, e.amount.rupiah) for e in ledger.jht_settled()]
    assert sorted(outbox_settled) == sorted((c, kpj, amount) for c, (kpj, amount, _, _) in expected.items())
    assert {c: (a.kpj, a.amount.rupiah, a.part_year_return.rupiah) for c, a in client.answers.items()} == {
        claim_of(n): (kpj_of(n), PAYOUT[n % 3], PART_YEAR_RETURN[n % 3]) for n in by_rpc}

    # Every JhtSettled reached the broker, as one event each (redeliveries share its id).
    assert wait_for(lambda: ledger.unpublished() == 0, timeout=30, interval=0.2)
    on_broker = jht_settled_on_the_broker(bootstrap)
    assert {c: len(found) for c, found in on_broker.items()} == dict.fromkeys(expected, 1)

    # Redelivered payouts change nothing: the same event, the same payout under a new id,
    # one for a claim the RPC settled; the RPC asked again under a new request id.
    again = [envelopes[by_event[0]], redelivered(envelopes[by_event[0]]), payout_approved(by_rpc[0])]
    before = (ledger.postings(), ledger.settlements())
    publish(producer, again)
    producer.close()
    assert wait_for(lambda: all(ledger.applied(e.event_id) for e in again), timeout=30, interval=0.1)
    assert (ledger.postings(), ledger.settlements()) == before
    assert sorted(e.claim_id for e in ledger.jht_settled()) == sorted(expected), "a redelivery settled again"
    asked_again = client.settle(by_rpc[0], request_id="asked-again")
    assert asked_again == client.answers[claim_of(by_rpc[0])]
    first_by_event = client.settle(by_event[0], request_id="asked-again-too")
    assert (first_by_event.amount.rupiah, first_by_event.claim_id) == (PAYOUT[by_event[0] % 3], claim_of(by_event[0]))
    client.channel.close()
    ledger.engine.dispose()
    sizes.report("contributions-killed-mid-settlement", {
        "claims": size.claims, "settled_by_event_at_kill": at_kill[0],
        "settled_by_rpc_at_kill": at_kill[1], "rpc_attempts_unanswered": len(client.failures),
        "seconds_kill_to_all_settled": round(recovery, 1),
    }, tmp_path)
