"""Logging for operators: one JSON object per line, or readable text for a terminal.

``tongban serve --json-logs`` and ``tongban worker --json-logs`` (or
``TONGBAN_LOG_FORMAT=json``) switch every logger — ours, uvicorn's, Dramatiq's —
to JSON, so that journald, Loki or any log shipper gets fields, not prose.
Each record carries the request id of the request it was logged under, so one
filing can be followed across the access line, a warning and the error page.
The same dict configures uvicorn's worker processes (its ``log_config``).
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
import os
from typing import Any

# Set by the request middleware (core.ops.metrics); "-" outside a request.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record so both formatters can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def json_requested(flag: bool | None = None) -> bool:
    """The command-line flag wins; otherwise ``TONGBAN_LOG_FORMAT=json``."""
    if flag is not None:
        return flag
    return os.environ.get("TONGBAN_LOG_FORMAT", "").lower() == "json"


def logging_config(json: bool, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict; also valid as uvicorn's ``log_config``."""
    level = level.upper()
    formatter: dict[str, Any]
    if json:
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,  # Chinese unit names stay readable in the log
        }
    else:
        formatter = {
            "format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s",
        }
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.ops.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's own handlers would print a second, unstructured copy.
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            # Our middleware writes one access line per request with route,
            # status, duration and request id; uvicorn's line would be a duplicate.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "tongban.access": {"level": "INFO"},
        },
    }


def configure(json: bool, level: str = "INFO") -> None:
    """Configure this process (the worker; uvicorn applies the dict itself)."""
    logging.config.dictConfig(logging_config(json, level))
