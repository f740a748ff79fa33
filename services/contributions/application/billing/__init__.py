"""Component `billing` (C-5, C-6): runs, per-branch jobs, bills, SPI documents."""
from services.contributions.application.billing.use_cases import BillingUseCases, build  # noqa: F401
