"""Pure domain layer of the benefits service (JHT, JKK, JK, JPK claims): no I/O imports."""
