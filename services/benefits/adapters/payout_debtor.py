"""The agency's account benefits' payouts are debited from (BENEFITS_PAYOUT_DEBTOR_*);
the embedded default names a demonstration account, production sets all three variables."""
from __future__ import annotations

from services.chassis.payout_files import debtor_from_env as _from_env
from services.chassis.payout_rules import DebtorAccount

DEFAULT = DebtorAccount(name="JAMSOS PROGRAM JAMINAN SOSIAL", account_number="0011223344", bank_bic="BNINIDJA")


def debtor_from_env() -> DebtorAccount:
    return _from_env("BENEFITS", DEFAULT)
