"""Component `standing` (C-8): the use cases are in money/standing.py."""
from services.contributions.application.money.standing import StandingUseCases, build  # noqa: F401
