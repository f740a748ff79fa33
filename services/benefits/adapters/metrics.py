"""The benefits service's own Prometheus metrics (one registry per process, `service` label
as every platform metric has)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

# B-JHT-3: open JHT claims whose 30 days are nearly used up (deadline="at_risk") or over
# (deadline="overdue"); recomputed from the database, so it is true after a restart.
JHT_CLAIMS_BY_DEADLINE = Gauge(
    "jamsos_benefits_jht_claims_deadline", "Open JHT claims at risk of, or past, the 30-day payment limit (B-JHT-3).",
    ["service", "deadline"])
# JhtSettled answers for claims this service does not hold: kept in jht_unmatched_settlements.
UNMATCHED_SETTLEMENTS = Counter(
    "jamsos_benefits_unmatched_jht_settlements_total", "JhtSettled events naming no claim of this service.",
    ["service"])
