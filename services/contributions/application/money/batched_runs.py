"""Runs over a whole branch or a whole year, in batches that are each their own transaction.

A branch's standing recompute (C-8) or a year's JHT returns for a million members (C-9) is
not one transaction: it walks its items (NPPs, member accounts) in key order, `batch_size`
at a time. Each batch does its work and moves the run's cursor in one transaction, so a run
killed half-way has committed whole batches only, and the next attempt (a retry of the
request, or for yearly returns any request for the year) resumes after the last of them:
nothing is done twice. The run's row is locked per batch, so two attempts at once take
turns instead of doing one batch twice.

The use case then answers once per request id (`Application.mutate`) from the run's
totals, in a transaction of its own.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services.chassis.application import Application
from services.chassis.errors import InvalidArgument
from services.chassis.unit_of_work import UnitOfWork
from services.contributions.adapters.run_progress import RunProgress, RunProgressStore


@dataclass(frozen=True)
class BatchDone:
    """What one batch did: counted into the run's totals; `items` go into its answer."""

    changed: int = 0
    total_rupiah: int = 0
    items: Sequence[str] = ()


@dataclass(frozen=True)
class RunOutcome:
    progress: RunProgress
    resumed: bool  # this call continued a run an earlier attempt left unfinished


@dataclass(frozen=True)
class BatchedRun:
    """One run: how to start it, list its next keys and do a batch of them."""

    run_id: str
    kind: str
    request_fingerprint: str | None  # None: any request may continue the run
    count_items: Callable[[Session], int]
    next_keys: Callable[[Session, RunProgress, int], list[str]]  # keys after progress.last_key, at most n
    do_batch: Callable[[UnitOfWork, RunProgress, list[str]], BatchDone]
    start_values: dict = field(default_factory=dict)  # as_of, rate_bp: kept for every attempt


def run_in_batches(base: Application, run: BatchedRun, batch_size: int,
                   after_batch: Callable[[RunProgress], None] = lambda progress: None) -> RunOutcome:
    """Run (or resume) `run` to its end; `after_batch` sees the progress after each commit."""
    resumed = None
    while True:
        with base.unit_of_work() as uow:
            store = RunProgressStore(uow.session)
            progress = store.get(run.run_id, lock=True)
            if progress is None:
                store.start(run.run_id, run.kind, request_fingerprint=run.request_fingerprint,
                            items_total=run.count_items(uow.session), **run.start_values)
                resumed = False
            elif resumed is None:
                _same_request(progress, run)
                resumed = not progress.complete
                if resumed:
                    store.count_attempt(run.run_id)
            progress = store.get(run.run_id)
            assert progress is not None  # inserted above or found
            if progress.complete:
                uow.commit()
                return RunOutcome(progress, bool(resumed))
            keys = run.next_keys(uow.session, progress, max(1, batch_size))
            if not keys:
                store.finish(run.run_id)
                uow.commit()
                continue
            done = run.do_batch(uow, progress, keys)
            store.add_items(run.run_id, done.items)
            store.advance(run.run_id, last_key=keys[-1], items=len(keys), changed=done.changed,
                          total_rupiah=done.total_rupiah)
            after = store.get(run.run_id)
            uow.commit()
        assert after is not None
        after_batch(after)


def _same_request(progress: RunProgress, run: BatchedRun) -> None:
    if run.request_fingerprint is not None and progress.request_fingerprint != run.request_fingerprint:
        raise InvalidArgument.field("request_id", "already used for a different request")
