"""The money side of contributions: payments (recording, matching), penalties,
reconciliation and standing (C-6..C-8). Its four components are the thin modules
application/payments.py, penalties.py, reconciliation.py and standing.py."""
