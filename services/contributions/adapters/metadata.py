"""The one MetaData of the contributions database, with the platform tables on it.

`tables.py` (read model, rules, billing) and `money_tables.py` (payments, penalties,
reconciliation, standing, JHT ledger) both define their tables on it; the package
`services.contributions.adapters` imports both, so whoever reaches the metadata through
any adapters module (Alembic, the service definition) sees every table.
"""
from __future__ import annotations

from sqlalchemy import MetaData

from services.chassis.tables import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)
