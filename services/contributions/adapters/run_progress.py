"""Where a run done in batches stands (`batched_runs`, `batched_run_items`): rows in, rows out.

A run is written for the platform (the head office's yearly returns, a branch's standing
recompute), keyed by an id its use case derives from the request, so this is a plain
store, not a scoped repository: the caller's scope was checked before the run started.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.contributions.adapters.money_tables import batched_run_items, batched_runs


@dataclass(frozen=True)
class RunProgress:
    run_id: str
    kind: str
    request_fingerprint: str | None
    as_of: date | None
    rate_bp: int | None
    last_key: str | None
    items_total: int
    items_done: int
    batches_done: int
    attempts: int
    changed: int
    total_rupiah: int
    complete: bool


def _progress(r) -> RunProgress:
    return RunProgress(r.run_id, r.kind, r.request_fingerprint, r.as_of, r.rate_bp, r.last_key, int(r.items_total),
                       int(r.items_done), int(r.batches_done), int(r.attempts), int(r.changed), int(r.total_rupiah),
                       bool(r.complete))


class RunProgressStore:
    def __init__(self, session: Session):
        self.session = session

    def get(self, run_id: str, *, lock: bool = False) -> RunProgress | None:
        """The run; `lock` holds its row (PostgreSQL) so two attempts never run one batch twice."""
        statement = select(batched_runs).where(batched_runs.c.run_id == run_id)
        row = self.session.execute(statement.with_for_update() if lock else statement).first()
        return _progress(row) if row is not None else None

    def start(self, run_id: str, kind: str, *, request_fingerprint: str | None, items_total: int,
              as_of: date | None = None, rate_bp: int | None = None) -> None:
        now = datetime.now(UTC)
        self.session.execute(insert(batched_runs).values(
            run_id=run_id, kind=kind, request_fingerprint=request_fingerprint, as_of=as_of, rate_bp=rate_bp,
            last_key=None, items_total=items_total, items_done=0, batches_done=0, attempts=1, changed=0,
            total_rupiah=0, complete=False, started_at=now, updated_at=now))

    def count_attempt(self, run_id: str) -> None:
        self.session.execute(update(batched_runs).where(batched_runs.c.run_id == run_id)
                             .values(attempts=batched_runs.c.attempts + 1, updated_at=datetime.now(UTC)))

    def advance(self, run_id: str, *, last_key: str, items: int, changed: int, total_rupiah: int) -> None:
        """One batch done: in the batch's own transaction, so the cursor and its work commit together."""
        c = batched_runs.c
        self.session.execute(update(batched_runs).where(c.run_id == run_id).values(
            last_key=last_key, items_done=c.items_done + items, batches_done=c.batches_done + 1,
            changed=c.changed + changed, total_rupiah=c.total_rupiah + total_rupiah, updated_at=datetime.now(UTC)))

    def finish(self, run_id: str) -> None:
        self.session.execute(update(batched_runs).where(batched_runs.c.run_id == run_id)
                             .values(complete=True, updated_at=datetime.now(UTC)))

    def add_items(self, run_id: str, keys: Sequence[str]) -> None:
        if keys:
            self.session.execute(insert(batched_run_items), [{"run_id": run_id, "item_key": key} for key in keys])

    def items(self, run_id: str) -> list[str]:
        """What the run's batches listed, by key."""
        return list(self.session.execute(select(batched_run_items.c.item_key)
                                         .where(batched_run_items.c.run_id == run_id)
                                         .order_by(batched_run_items.c.item_key)).scalars())
