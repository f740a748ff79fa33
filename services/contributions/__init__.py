"""Contributions service (iuran): calculation, SPI notices, payments, reconciliation, JHT."""
