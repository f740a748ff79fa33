"""Component `payments` (C-7): the use cases are in money/payments.py."""
from services.contributions.application.money.payments import PaymentUseCases, build, consumers  # noqa: F401
