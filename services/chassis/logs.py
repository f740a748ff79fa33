"""Structured JSON logs, one object per line, with the correlation id of the flow."""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from . import context

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        correlation = context.correlation_id()
        if correlation:
            entry["correlation_id"] = correlation
        principal = context.optional_principal()
        if principal is not None:
            entry["user"] = principal.user_id
            entry["office"] = principal.office_code
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kafka", "alembic", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
