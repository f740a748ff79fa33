"""The office tree as replicated from membership's OfficeTreeChanged events (rm_offices)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.contributions.adapters.tables import rm_offices


class ReplicatedOfficeDirectory:
    """Which branches a regional office oversees, from the read model, cached for `ttl` seconds."""

    def __init__(self, session_factory: sessionmaker[Session], ttl: float = 30.0):
        self._session_factory = session_factory
        self._ttl = ttl
        self._lock = threading.Lock()
        self._children: dict[str, frozenset[str]] | None = None
        self._loaded_at = 0.0

    def branches_under(self, office_code: str) -> frozenset[str]:
        return self._load().get(office_code, frozenset())

    def invalidate(self) -> None:
        with self._lock:
            self._children = None

    def _load(self) -> dict[str, frozenset[str]]:
        with self._lock:
            if self._children is None or time.monotonic() - self._loaded_at > self._ttl:
                with self._session_factory() as session:
                    rows = session.execute(select(rm_offices.c.code, rm_offices.c.level, rm_offices.c.parent_code)).all()
                children: dict[str, set[str]] = {}
                for code, level, parent in rows:
                    if level == "BRANCH" and parent:
                        children.setdefault(parent, set()).add(code)
                self._children = {k: frozenset(v) for k, v in children.items()}
                self._loaded_at = time.monotonic()
            return self._children
