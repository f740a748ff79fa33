"""Bulk import of potential-employer data into the PWBD list (M-2).

Each row ends as exactly one of: REJECTED (bad data, with "field: reason" reasons),
ALREADY_REGISTERED (it is a registered employer: the NPP it matched), DUPLICATE (the
company is already on the branch's list, or earlier in this import: same NPWP, or same
normalised name and address) or ACCEPTED (a new candidate with its id).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from collections.abc import Collection, Iterable

from google.protobuf import wrappers_pb2

from jamsos.membership.v1 import pwbd_pb2
from services.chassis.errors import InvalidArgument, Violations
from services.chassis.ids import uuid7
from services.membership.adapters.pwbd_repository import ListedKey, NewCandidate
from services.membership.application.pwbd_matching import EmployerIndex, match_key
from services.membership.domain.pwbd import PwbdCandidate, validate_pwbd_row
from services.membership.domain.values import clean_text

# Domain names -> the CandidateRow fields the client sent.
_ROW_FIELDS = {"worker_estimate": "estimated_workers"}
SECTOR_MAX = 100


@dataclass
class ImportBatch:
    header: pwbd_pb2.ImportHeader
    rows: list[pwbd_pb2.CandidateRow] = field(default_factory=list)

    def fingerprint_message(self) -> wrappers_pb2.BytesValue:
        """The whole import as one message for `Application.mutate`'s fingerprint: a
        resend with the same request id must carry the same header and rows."""
        header = pwbd_pb2.ImportHeader()
        header.CopyFrom(self.header)
        header.ClearField("request_id")
        digest = hashlib.sha256()
        for message in (header, *self.rows):
            data = message.SerializeToString(deterministic=True)
            digest.update(len(data).to_bytes(4, "big") + data)  # length-prefixed: no ambiguity
        return wrappers_pb2.BytesValue(value=digest.digest())


def read_stream(messages: Iterable[pwbd_pb2.ImportCandidatesRequest]) -> ImportBatch:
    """The header (first, once) and the rows of a client stream."""
    batch: ImportBatch | None = None
    for message in messages:
        item = message.WhichOneof("item")
        if item == "header":
            if batch is not None:
                raise InvalidArgument.field("header", "sent twice: one header, first, then the rows")
            batch = ImportBatch(message.header)
        elif item == "row":
            if batch is None:
                raise InvalidArgument.field("header", "is required before the first row")
            batch.rows.append(message.row)
    if batch is None:
        raise InvalidArgument.field("header", "is required: the stream was empty")
    return batch


def _validate(row: pwbd_pb2.CandidateRow, branch_code: str, source: str,
              branches: Collection[str]) -> tuple[PwbdCandidate | None, str | None, list[str]]:
    outcome = validate_pwbd_row({
        "name": row.name, "branch_code": branch_code, "address": row.address,
        "tax_number": row.tax_number or None, "worker_estimate": row.estimated_workers, "source": source or None,
    }, branches)
    v = Violations()
    sector = clean_text(row.sector, "sector", v, max_length=SECTOR_MAX, required=False)
    problems = (outcome if isinstance(outcome, list) else []) + v.items
    reasons = [f"{_ROW_FIELDS.get(p.field, p.field)}: {p.reason}" for p in problems]
    return (None if reasons else outcome), sector, reasons


def classify(batch: ImportBatch, branch_code: str, branches: Collection[str], employers: EmployerIndex,
             listed: list[ListedKey]) -> tuple[pwbd_pb2.ImportCandidatesResponse, list[NewCandidate]]:
    """Every row's outcome, and the new candidates to insert (M-2).

    `listed` are the match keys of the candidates already on the branch's list; the
    accepted rows join them as the import goes, so a company twice in one file is
    accepted once and then reported as a duplicate.
    """
    known_npwp = {r.tax_number for r in listed if r.tax_number}
    known_keys = {(r.name_normalised, r.address_normalised) for r in listed}
    response, new_rows = pwbd_pb2.ImportCandidatesResponse(), []
    for position, row in enumerate(batch.rows, start=1):
        result = response.results.add(row_number=row.row_number or position)
        candidate, sector, reasons = _validate(row, branch_code, batch.header.source, branches)
        if candidate is None:
            result.outcome, response.rejected = pwbd_pb2.ROW_OUTCOME_REJECTED, response.rejected + 1
            result.reasons.extend(reasons)
            continue
        npp = employers.match(candidate)
        key = match_key(candidate.name, candidate.address)
        if npp is not None:
            result.outcome, result.matched_npp = pwbd_pb2.ROW_OUTCOME_ALREADY_REGISTERED, npp
            response.already_registered += 1
        elif (candidate.tax_number and candidate.tax_number in known_npwp) or key in known_keys:
            result.outcome, response.duplicates = pwbd_pb2.ROW_OUTCOME_DUPLICATE, response.duplicates + 1
        else:
            result.outcome, result.candidate_id = pwbd_pb2.ROW_OUTCOME_ACCEPTED, uuid7()
            response.accepted += 1
            known_keys.add(key)
            if candidate.tax_number:
                known_npwp.add(candidate.tax_number)
            new_rows.append(NewCandidate(result.candidate_id, candidate, sector))
    return response, new_rows
