"""Component `rules`: the rule tables (C-1..C-6, C-6a, C-9), holidays and UMK rates."""
from services.contributions.application.rules.use_cases import RuleUseCases, build  # noqa: F401
