"""The office tree as the replica holds it (O-1): which region a branch belongs to."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.welfare.adapters.tables import offices


def region_of(session: Session, branch_code: str) -> str | None:
    t = offices.table
    return session.execute(select(t.c.parent_code).where(t.c.code == branch_code, t.c.level == "BRANCH")).scalar()


def is_region(session: Session, office_code: str) -> bool:
    t = offices.table
    return session.execute(select(t.c.code).where(t.c.code == office_code, t.c.level == "REGIONAL")).first() is not None
