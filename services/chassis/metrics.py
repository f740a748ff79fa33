"""Prometheus metrics: the standard gRPC server names plus the platform's own.

Defined once per process (the default registry); every metric carries a `service`
label or, for the gRPC ones, `grpc_service` that names it, so in-process test servers
of several services can share a registry.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

GRPC_STARTED = Counter(
    "grpc_server_started_total",
    "Total number of RPCs started on the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
)
GRPC_HANDLED = Counter(
    "grpc_server_handled_total",
    "Total number of RPCs completed on the server, regardless of success or failure.",
    ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
)
GRPC_HANDLING_SECONDS = Histogram(
    "grpc_server_handling_seconds",
    "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
OUTBOX_BACKLOG = Gauge("jamsos_outbox_backlog", "Outbox events not yet published.", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "jamsos_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox event.", ["service"]
)
EVENTS_PUBLISHED = Counter("jamsos_events_published_total", "Events published to Kafka.", ["service", "topic"])
EVENTS_REPUBLISHED = Counter("jamsos_events_republished_total",
                             "Outbox events published again because the broker lost them.", ["service", "topic"])
RETENTION_PRUNED = Counter("jamsos_retention_pruned_total",
                           "Published outbox rows and inbox rows deleted after the retention window.", ["service", "table"])
# When the relay last finished a cycle (read, publish, mark) without an error: a relay
# that is not running, or stuck, stops moving it (an alert compares it with time()).
RELAY_LAST_CYCLE = Gauge("jamsos_outbox_relay_last_cycle_timestamp_seconds",
                         "Unix time the outbox relay last completed a cycle.", ["service"])
# Events on the broker a consumer has not applied yet, per assigned partition (the last
# fetched high watermark minus the consumer's position), refreshed every few seconds.
CONSUMER_LAG = Gauge("jamsos_consumer_lag", "Events on the broker not yet applied, per assigned partition.",
                     ["service", "consumer", "topic", "partition"])
RELAY_ERRORS = Counter("jamsos_outbox_relay_errors_total", "Failed publish attempts of the relay.", ["service"])
EVENTS_CONSUMED = Counter(
    "jamsos_events_consumed_total",
    "Events consumed, by outcome (applied, duplicate, ignored, dead_lettered).",
    ["service", "consumer", "event_type", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "jamsos_events_dead_lettered_total", "Events sent to a dead-letter topic.", ["service", "consumer", "event_type"]
)
CONSUMER_RETRIES = Counter(
    "jamsos_consumer_retries_total", "Failed attempts to apply an event that will be retried.", ["service", "consumer"]
)
BUSINESS_EVENTS = Counter(
    "jamsos_business_operations_total", "Business operations completed (enrolments, bills, claims...).", ["service", "operation"]
)
