"""Component `ledger`: the JHT ledger (C-9)."""
from services.contributions.application.ledger.use_cases import LedgerUseCases, build  # noqa: F401
