"""Component `ledger`: the JHT ledger (C-9) and the JHT payouts benefits asks for (B-JHT-1)."""
from services.contributions.application.ledger.use_cases import LedgerUseCases, build, consumers  # noqa: F401
