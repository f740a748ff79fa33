"""Membership service: employers (NPP), workers (KPJ), families, PWBD (rules M-1..M-8)."""
