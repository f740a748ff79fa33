"""Component `payouts`: welfare's money paid through the bank (payment orders).

A disbursement creates the order: a scholarship's scheduled payment (W-S-1), a cooperative
or partnership loan's disbursement (W-K-3, W-M-1: the fund debited and the loan disbursed
as DisburseLoan does), a PUMP's transfer to the developer (W-P-4: as TransferPumpFunds
does). Another officer than its creator approves it (O-4); the bank's files are
`payouts_bank`'s. A failed order is re-issued once to a corrected account, approved by
another officer than the one who re-issued it (O-4).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.chassis.ids import uuid7
from services.chassis.payment_orders import BankAccount
from services.chassis.scope import BranchScope
from services.chassis.service_context import ServiceContext
from services.chassis.unit_of_work import UnitOfWork
from services.welfare.adapters.payment_order_repository import PaymentOrderRepository
from services.welfare.adapters.scholarship_repository import ScholarshipRepository
from services.welfare.application.loan_applications import DisburseLoan, LoanApplicationUseCases
from services.welfare.application.payouts_bank import PayoutBank, welfare_debtor
from services.welfare.application.pump import PumpUseCases, TransferPumpFunds
from services.welfare.domain.payment_orders import OrderState, WelfarePaymentOrder, scholarship_payment_to_order
from services.welfare.domain.programs import Program


@dataclass(frozen=True)
class OrderScholarshipPayment:
    application_id: str
    number: int
    beneficiary: BankAccount


@dataclass(frozen=True)
class OrderDisbursement:
    """A loan's (or a PUMP's) disbursement paid through the bank to `beneficiary`."""

    application_id: str
    beneficiary: BankAccount
    on: date | None


@dataclass(frozen=True)
class OrderStep:
    order_id: str


@dataclass(frozen=True)
class ReissueOrder:
    order_id: str
    beneficiary: BankAccount | None


@dataclass(frozen=True)
class ListOrders:
    branch_code: str | None
    state: OrderState | None
    before_id: str | None
    limit: int


@dataclass(frozen=True)
class OrderedDisbursement:
    order: WelfarePaymentOrder
    loan_ids: tuple[str, ...]


def order_reference(order_id: str) -> str:
    """The fund ledger's reference of a disbursement paid by an order (the bank's comes later)."""
    return f"payment order {order_id}"


class PayoutUseCases:
    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.loans = LoanApplicationUseCases(ctx)
        self.pump = PumpUseCases(ctx)
        self.bank = PayoutBank(ctx, welfare_debtor())

    # ---- orders made by a disbursement ------------------------------------------------------
    def order_scholarship_payment(self, uow: UnitOfWork, scope: BranchScope,
                                  command: OrderScholarshipPayment) -> WelfarePaymentOrder:
        application = ScholarshipRepository(uow.session, scope).for_change(command.application_id)
        orders = PaymentOrderRepository(uow.session, scope)
        amount = scholarship_payment_to_order(application, command.number,
                                              orders.orders_of_payment(application.application_id, command.number))
        return self._open(uow, scope, uuid7(), Program.SCHOLARSHIP, application.application_id, command.number,
                          application.branch_code, command.beneficiary, amount)

    def order_loan_disbursement(self, uow: UnitOfWork, scope: BranchScope,
                                command: OrderDisbursement) -> OrderedDisbursement:
        order_id = uuid7()
        view = self.loans.disburse(uow, scope, DisburseLoan(command.application_id, order_reference(order_id),
                                                            command.on))
        assert view.loan is not None  # a disbursed application has its loan
        a = view.application
        order = self._open(uow, scope, order_id, a.program, a.application_id, 0, a.branch_code, command.beneficiary,
                           view.loan.principal)
        return OrderedDisbursement(order, (view.loan.loan_id,))

    def order_pump_transfer(self, uow: UnitOfWork, scope: BranchScope,
                            command: OrderDisbursement) -> OrderedDisbursement:
        order_id = uuid7()
        view = self.pump.transfer(uow, scope, TransferPumpFunds(command.application_id, order_reference(order_id),
                                                                command.on))
        a = view.application
        order = self._open(uow, scope, order_id, Program.PUMP, a.application_id, 0, a.branch_code,
                           command.beneficiary, sum(loan.principal for loan in view.loans))
        return OrderedDisbursement(order, tuple(loan.loan_id for loan in view.loans))

    def _open(self, uow: UnitOfWork, scope: BranchScope, order_id: str, program: Program, application_id: str,
              number: int, branch_code: str, beneficiary: BankAccount, amount: int) -> WelfarePaymentOrder:
        order = WelfarePaymentOrder(order_id=order_id, program=program, application_id=application_id, number=number,
                                    branch_code=branch_code, beneficiary=beneficiary, amount=amount,
                                    created_on=self.ctx.today(), created_by=scope.principal.user_id)
        PaymentOrderRepository(uow.session, scope).add_order(order)
        uow.audit("payment_order.create", order_id, {"program": program.value, "application_id": application_id,
                                                     "number": number, "amount": amount})
        uow.count("payment_order_created")
        return order

    # ---- finance -------------------------------------------------------------------------------
    def approve(self, uow: UnitOfWork, scope: BranchScope, command: OrderStep) -> WelfarePaymentOrder:
        orders = PaymentOrderRepository(uow.session, scope)
        order = orders.writable_order(command.order_id).approve_by(scope.principal.user_id, self.ctx.today())
        orders.save_order(order)
        uow.audit("payment_order.approve", order.order_id, {"application_id": order.application_id,
                                                            "amount": order.amount})
        uow.count("payment_order_approved")
        return order

    def reissue(self, uow: UnitOfWork, scope: BranchScope, command: ReissueOrder) -> WelfarePaymentOrder:
        orders = PaymentOrderRepository(uow.session, scope)
        failed, new = orders.writable_order(command.order_id).reissue(uuid7(), command.beneficiary,
                                                                      scope.principal.user_id, self.ctx.today())
        orders.save_order(failed)
        orders.add_order(new)
        uow.audit("payment_order.reissue", new.order_id, {
            "reissue_of": failed.order_id, "application_id": new.application_id, "amount": new.amount,
            "failure_code": failed.failure_code, "account_changed": failed.beneficiary != new.beneficiary})
        uow.count("payment_order_reissued")
        return new

    # ---- reading -------------------------------------------------------------------------------
    def get(self, session: Session, scope: BranchScope, command: OrderStep) -> WelfarePaymentOrder:
        return PaymentOrderRepository(session, scope).readable_order(command.order_id)

    def list(self, session: Session, scope: BranchScope, query: ListOrders
             ) -> tuple[list[WelfarePaymentOrder], str | None]:
        found = PaymentOrderRepository(session, scope).page_orders(
            branch_code=query.branch_code, state=query.state, before_id=query.before_id, limit=query.limit + 1)
        return found[:query.limit], (found[query.limit - 1].order_id if len(found) > query.limit else None)


def build(ctx: ServiceContext) -> PayoutUseCases:
    return PayoutUseCases(ctx)
