"""The office tree as stored in the membership database, cached for scope checks."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.membership.adapters.tables import offices
from services.membership.domain.offices import Office, OfficeTree


def load_tree(session: Session) -> OfficeTree:
    rows = session.execute(select(offices)).all()
    return OfficeTree(
        Office(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, branch_class=r.branch_class) for r in rows
    )


class OfficeDirectory:
    """Answers "which branches does this office oversee" from a short-lived cache.

    The tree changes rarely (head-office action); replicas see a change within `ttl`.
    """

    def __init__(self, session_factory: sessionmaker[Session], ttl: float = 30.0):
        self._session_factory = session_factory
        self._ttl = ttl
        self._lock = threading.Lock()
        self._tree: OfficeTree | None = None
        self._loaded_at = 0.0

    def tree(self) -> OfficeTree:
        with self._lock:
            if self._tree is None or time.monotonic() - self._loaded_at > self._ttl:
                with self._session_factory() as session:
                    self._tree = load_tree(session)
                self._loaded_at = time.monotonic()
            return self._tree

    def invalidate(self) -> None:
        with self._lock:
            self._tree = None

    def branches_under(self, office_code: str) -> frozenset[str]:
        tree = self.tree()
        if tree.find(office_code) is None:
            return frozenset()
        return tree.branches_readable_by(office_code)

    def is_branch(self, code: str) -> bool:
        return self.tree().is_branch(code)
