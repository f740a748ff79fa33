"""The office tree as stored in the membership database, cached for scope checks.

The tree is the head office's (O-1), not a branch's: its rows carry no branch scope.
"""
from __future__ import annotations

import threading
import time

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from services.membership.adapters.tables import offices
from services.membership.domain.offices import Office, OfficeTree


def load_tree(session: Session) -> OfficeTree:
    rows = session.execute(select(offices)).all()
    return OfficeTree(
        Office(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, branch_class=r.branch_class) for r in rows
    )


def office_values(office: Office) -> dict[str, Any]:
    """An office as stored (and as the audit of a change records it)."""
    return {"code": office.code, "name": office.name, "level": office.level.value,
            "parent_code": office.parent_code, "branch_class": office.branch_class}


def has_offices(session: Session) -> bool:
    return session.execute(select(offices.c.code).limit(1)).first() is not None


def add_offices(session: Session, new: Iterable[Office]) -> None:
    session.execute(insert(offices), [office_values(o) for o in new])


def put_office(session: Session, office: Office) -> None:
    """Add the office, or replace the one with its code."""
    session.execute(delete(offices).where(offices.c.code == office.code))
    session.execute(insert(offices).values(**office_values(office)))


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
