"""Test harness: throwaway infrastructure (PostgreSQL, Kafka-protocol broker) for the suite.

The modules here know nothing about pytest; ``tests/conftest.py`` wraps them in
fixtures. Keeping them pytest-free lets scripts and ad-hoc debugging sessions
reuse them (e.g. ``ThrowawayPostgres().start()`` in a REPL).
"""
