"""Issued cards (M-5, B-JPK-1): one row per card issued, rendered on demand from it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.chassis.row_security import system_path
from services.membership.adapters.tables import cards


@dataclass(frozen=True)
class IssuedCard:
    card_number: str
    card_type: str  # "KPJ" or "KPK"
    kpj: str
    holder_name: str
    npp: str
    branch_code: str
    issued_on: date
    issued_by: str


def card_number(card_type: str, kpj: str, serial: int) -> str:
    """e.g. "KPJ-00000000019-001": the type, the KPJ and the how-many-th card of that type."""
    return f"{card_type}-{kpj}-{serial:03d}"


class CardRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_employment(self, kpj: str, card_type: str, npp: str) -> IssuedCard | None:
        """The card already issued for this employment (same KPJ, type and employer)."""
        row = self.session.execute(
            select(cards).where(cards.c.kpj == kpj, cards.c.card_type == card_type, cards.c.npp == npp)
            .order_by(cards.c.card_number.desc()).limit(1)
        ).first()
        return IssuedCard(**row._mapping) if row else None

    def latest(self, kpj: str, card_type: str) -> IssuedCard | None:
        row = self.session.execute(
            select(cards).where(cards.c.kpj == kpj, cards.c.card_type == card_type)
            .order_by(cards.c.card_number.desc()).limit(1)
        ).first()
        return IssuedCard(**row._mapping) if row else None

    def count(self, kpj: str, card_type: str) -> int:
        """Cards of this type the member ever had, in every branch: the next serial (a
        transfer's earlier cards are the old branch's, behind its row security)."""
        with system_path(self.session):
            return self.session.execute(
                select(func.count()).select_from(cards).where(cards.c.kpj == kpj, cards.c.card_type == card_type)
            ).scalar_one()

    def add(self, card: IssuedCard) -> None:
        self.session.execute(insert(cards).values(**card.__dict__))
