"""The agency's account payouts are debited from, from the environment.

An account is configuration, not a rule of the book (it changes when the agency changes
banks, not with a regulation), so it is not a dated rule table. The embedded defaults
name a demonstration account; production sets all three variables.
"""
from __future__ import annotations

import os

from services.benefits.domain.payout_files import DebtorAccount

DEFAULT = DebtorAccount(name="JAMSOS PROGRAM JAMINAN SOSIAL", account_number="0011223344", bank_bic="BNINIDJA")


def debtor_from_env() -> DebtorAccount:
    """BENEFITS_PAYOUT_DEBTOR_NAME, _ACCOUNT and _BIC, else the embedded defaults."""
    return DebtorAccount(
        name=os.environ.get("BENEFITS_PAYOUT_DEBTOR_NAME") or DEFAULT.name,
        account_number=os.environ.get("BENEFITS_PAYOUT_DEBTOR_ACCOUNT") or DEFAULT.account_number,
        bank_bic=os.environ.get("BENEFITS_PAYOUT_DEBTOR_BIC") or DEFAULT.bank_bic)
