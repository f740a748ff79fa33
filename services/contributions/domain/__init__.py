"""Contributions domain (iuran): pure rules, calculators and state machines, no I/O.

Modules, by rule:
* `rule_tables`: versioned rule tables (rates, caps, due day, penalty) and JHT return rates.
* `working_days`: weekends and holidays for due dates.
* `periods`, `bills`: the contribution month and an open bill.
* `calculation`: C-1..C-4, C-6a contribution lines and corrections.
* `due_dates`: C-6 due date.  `penalty`: C-6 late penalty (denda).
* `standing`: C-8 arrears and good standing.  `payments`: payment validation and matching.
* `reconciliation`: C-7 worksheet and its DRAFT -> VALIDATED -> POSTED states (O-4).
* `jht_ledger`: C-9 double-entry JHT ledger, yearly returns, statements, settlement.
"""
