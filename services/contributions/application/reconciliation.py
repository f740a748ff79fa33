"""Component `reconciliation` (C-7): the use cases are in money/reconciliation.py."""
from services.contributions.application.money.reconciliation import ReconciliationUseCases, build  # noqa: F401
