"""Component `claims`: the claims workflow of every program (JHT, JKK, JK, JPK).

Split by responsibility:
- `claims_submission` SubmitClaim on the read model's facts (M-4, B-JHT-1, B-JKK-1, B-JK-1)
- `claims_workflow`   documents (B-JHT-2, B-JKK-9), assessment, rejection, hold, accident reports
- `claims_approval`   ApproveClaim (O-4) and what it sets going (JHT payout, payment orders, events)
- `claims_queries`    GetClaim, ListClaims, a worker's claims, claims at risk (B-JHT-3)
Use cases take the caller's scope and a command and return domain values; the servicer
(entrypoints/claims.py) authorises, decodes, runs each mutation once per request id and
encodes (entrypoints/claims_mapping.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from services.benefits.application.claims_approval import ClaimApproval
from services.benefits.application.claims_queries import ClaimQueries
from services.benefits.application.claims_submission import ClaimSubmission
from services.benefits.application.claims_workflow import ClaimWorkflow
from services.benefits.application.deadlines import DeadlineGauge
from services.chassis.service_context import ServiceContext


@dataclass
class ClaimUseCases:
    ctx: ServiceContext
    submission: ClaimSubmission
    workflow: ClaimWorkflow
    approval: ClaimApproval
    queries: ClaimQueries
    deadlines: DeadlineGauge


def build(ctx: ServiceContext) -> ClaimUseCases:
    deadlines = DeadlineGauge(ctx.base, lambda: ctx.today())
    deadlines.refresh_quietly()  # true from the start, after a restart too
    return ClaimUseCases(ctx=ctx, submission=ClaimSubmission(ctx),
                         workflow=ClaimWorkflow(ctx, deadlines.refresh_quietly),
                         approval=ClaimApproval(ctx, deadlines.refresh_quietly),
                         queries=ClaimQueries(ctx, deadlines), deadlines=deadlines)
