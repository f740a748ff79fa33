"""Component `penalties` (C-6, O-4): the use cases are in money/penalties.py."""
from services.contributions.application.money.penalties import PenaltyUseCases, build  # noqa: F401
