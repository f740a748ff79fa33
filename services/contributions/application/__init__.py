"""Use cases of contributions, grouped by capability (the house shape of membership):

    billing/      runs, per-branch jobs, chunk, pricing, corrections, bills, SPI document
    money/        payments (matching, recording), penalties, reconciliation, standing
    ledger/       the JHT ledger (C-9)
    rules/        rule tables, holidays, UMK rates
    read_model/   membership's events into the rm_* tables

Each capability has one `mapping.py` (its API messages). The components of bootstrap's
COMPONENTS are reached by name (`application/<name>`, see services/chassis/components.py):
billing, ledger, rules and read_model are the packages themselves; payments, penalties,
reconciliation and standing are thin modules over money/.
"""
