"""The payments index a payment's credit reads use (migration 0014, issue 14).

Every RecordPayment asks whether its employer has credit waiting and sums it (C-7). On the
(npp, status) index that read every matched payment the employer ever made; on
(npp, status, credit_rupiah) only those with credit left. The migrated database must have
the index the service declares, and the statement must reach it.
"""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from services.contributions.adapters import payment_store
from services.contributions.adapters.money_tables import payments


def _declared() -> dict[str, list[str]]:
    return {ix.name: [c.name for c in ix.columns] for ix in payments.indexes}


def test_the_migrated_payments_indexes_are_the_declared_ones(contributions):
    migrated = {ix["name"]: ix["column_names"] for ix in inspect(contributions.engine).get_indexes("payments")
                if not ix.get("unique")}
    assert migrated == _declared()
    assert migrated["ix_payments_npp_credit"] == ["npp", "status", "credit_rupiah"]


@pytest.mark.rule("C-7")
def test_c7_the_credit_check_reads_the_payments_with_credit_left_only(contributions):
    if contributions.engine.dialect.name != "sqlite":
        pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
    compiled = payment_store._CREDIT_STATE.compile(dialect=contributions.engine.dialect)
    values = [compiled.params[name] if compiled.params[name] is not None else "99000001"
              for name in compiled.positiontup]
    with contributions.engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", tuple(values))]
    on_payments = [step for step in plan if "payments" in step]
    assert on_payments and all("ix_payments_npp_credit" in step and "credit_rupiah>?" in step
                               for step in on_payments), plan
