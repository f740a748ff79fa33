"""ISO 20022 camt.053 (bank-to-customer statement) files, as contributions matches them: the
chassis's hardened, streamed reader (`services/chassis/camt053.py`: defusedxml, no DTD or
entities, bounded size, one <Ntry> at a time), its items in contributions' own terms. The
end-to-end id and remittance information are the entry's first transaction's.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from services.chassis import camt053
from services.contributions.domain.bank_file import (
    Balance, DeclaredSum, StatementEnd, StatementHeader, StatementLine,
)

StatementItem = StatementHeader | StatementLine | StatementEnd


def read_camt053(source: IO[bytes]) -> Iterator[StatementItem]:
    """The header, the lines and the end of one camt.053 statement, in file order."""
    for item in camt053.read_camt053(source):
        if isinstance(item, camt053.CamtHeader):
            yield StatementHeader(item.statement_id, item.account, _balance(item.opening))
        elif isinstance(item, camt053.CamtEntry):
            yield StatementLine(item.number, item.amount_sen, item.booked_on, item.currency,
                                bank_reference=item.bank_reference, customer_reference=item.end_to_end_id,
                                remittance=item.remittance)
        else:
            yield StatementEnd(_balance(item.closing), item.declared_count, item.declared_net_sen,
                               item.declared_gross_sen, _declared(item.declared_credits),
                               _declared(item.declared_debits))


def _balance(balance: camt053.CamtBalance) -> Balance:
    return Balance(balance.amount_sen, balance.on, balance.currency)


def _declared(total: camt053.CamtSum | None) -> DeclaredSum | None:
    return DeclaredSum(total.count, total.sum_sen) if total is not None else None
