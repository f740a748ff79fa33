"""Pure domain layer of the membership service: no database, gRPC or Kafka imports.

Modules (each cites the rules it implements, see docs/rules.md):

- `numbers`            NPP (M-1), KPJ (M-3), NPWP and NIK (M-3, M-4) formats
- `nik`                the NIK (Nomor Induk Kependudukan) parser behind `numbers`
- `check_digit`        the Damm check digit used by NPP and KPJ
- `offices`            the office tree and branch scope (O-1, O-2)
- `roles`              roles and the permission table for membership actions (O-3)
- `employers`          employer registration and changes (M-1, M-7)
- `workers`            worker enrolment, transfer (mutasi), termination, death (M-3, M-4, M-8)
- `employment_history` employment periods and length of membership (M-3)
- `family`             JPK dependants (M-6)
- `pwbd`               companies that must register but have not (M-2)
- `person`, `values`   shared enums (sex, marital status) and parsing helpers

Invalid input raises `services.chassis.errors.InvalidArgument` naming the request field;
an unmet business rule raises `RuleViolation` naming the rule id.
"""
