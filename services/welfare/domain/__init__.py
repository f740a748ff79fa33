"""Pure domain layer of the welfare service (scholarships, PUMP, cooperative and
partnership loans): no I/O imports."""
