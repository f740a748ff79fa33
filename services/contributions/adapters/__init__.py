"""Adapters of the contributions service.

Every table module is imported here, so the MetaData (`adapters.metadata`) is complete
whichever adapters module is imported first (migrations, the service definition, tests).
"""
from services.contributions.adapters import money_tables, tables  # noqa: F401
