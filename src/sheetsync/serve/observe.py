"""What an operator watches the service with: its log (prose, or with ``--log-format json``
one JSON object a line) and ``/metrics`` (the Prometheus text format).

Every line the service logs on purpose is an event: ``event(log, "pull.finished", message,
read=200, ...)`` writes the message as prose, and in JSON the event's name and fields
beside it; an error logged with its exception carries the traceback (``traceback`` in
JSON). The metrics live in a registry of the service's own, so two services in one process
(the tests) count apart.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST
disable_created_metrics()  # no *_created series: the service's start says as much
LOG_FORMATS = ("text", "json")


def event(log: logging.Logger, name: str, message: str, *args: Any, level: int = logging.INFO,
          exc_info: bool = False, **fields: Any) -> None:
    """Log ``message % args`` as the event ``name`` with ``fields``."""
    log.log(level, message, *args, exc_info=exc_info, stacklevel=2,
            extra={"event": name, "fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event, message, the event's fields, and the
    traceback of an exception logged with it."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created)) +
            time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or _default_event(record),
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def _default_event(record: logging.LogRecord) -> str:
    """Lines not logged as events (uvicorn's): their logger, e.g. ``uvicorn.error``."""
    return record.name


def setup_logging(log_format: str = "text") -> None:
    """sheetsync's and uvicorn's lines on stderr, in one format."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                               "%Y-%m-%d %H:%M:%S"))
    for name in ("sheetsync", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler] if name != "uvicorn.error" else []
        logger.setLevel(logging.INFO)
        logger.propagate = name == "uvicorn.error"  # to "uvicorn", which has the handler


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging left as ``setup_logging`` made it."""
    return {"version": 1, "disable_existing_loggers": False}


class Metrics:
    """The service's metrics: the last pull, reminders, requests."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.last_pull = Gauge("sheetsync_last_pull_timestamp_seconds",
                               "When the last pull ended (any outcome), Unix time.", registry=r)
        self.last_success = Gauge(
            "sheetsync_last_successful_pull_timestamp_seconds",
            "When the last pull that completed ended, Unix time (0: none yet).", registry=r)
        self.duration = Gauge("sheetsync_last_pull_duration_seconds",
                              "How long the last pull took.", registry=r)
        self.pulls = Counter("sheetsync_pulls", "Pulls by outcome (done, failed, skipped).",
                             ["outcome"], registry=r)
        self.districts = Gauge("sheetsync_districts",
                               "Districts in the last completed pull, by what became of "
                               "them: read, reused (unchanged), failed, stale (shown from "
                               "their last good read).", ["state"], registry=r)
        self.reminders = Counter("sheetsync_reminders",
                                 "Reminders by outcome: sent, refused (not sent, or some "
                                 "recipients refused).", ["outcome"], registry=r)
        self.publishes = Counter("sheetsync_publishes",
                                 "Months published after a pull (--publish), by outcome: "
                                 "done, failed.", ["outcome"], registry=r)
        self.requests = Counter("sheetsync_http_requests",
                                "Requests answered, by route and status.",
                                ["route", "status"], registry=r)
        self.sign_in_failures = Counter("sheetsync_sign_in_failures",
                                        "Requests with a wrong token or session.", registry=r)
        self.store_usable = Gauge(
            "sheetsync_store_usable", "1 while the store can be used; 0 when it cannot "
            "(empty, damaged, not sheetsync's): nothing is pulled until it is put right and "
            "the service restarted.", registry=r)
        self.store_usable.set(1)
        for outcome in ("done", "failed", "skipped"):
            self.pulls.labels(outcome)
        for outcome in ("sent", "refused"):
            self.reminders.labels(outcome)
        for outcome in ("done", "failed"):
            self.publishes.labels(outcome)

    def pulled(self, outcome: str, seconds: float, totals: dict[str, Any] | None,
               stale: int = 0) -> None:
        now = time.time()
        self.pulls.labels(outcome).inc()
        self.last_pull.set(now)
        self.duration.set(seconds)
        if outcome == "done" and totals is not None:
            self.last_success.set(now)
            for state in ("read", "reused", "failed"):
                self.districts.labels(state).set(totals.get(state, 0))
            self.districts.labels("stale").set(stale)

    def reminded(self, sent: int, refused: int) -> None:
        self.reminders.labels("sent").inc(sent)
        self.reminders.labels("refused").inc(refused)

    def published(self, outcome: str) -> None:
        self.publishes.labels(outcome).inc()

    def answered(self, route: str, status: int) -> None:
        self.requests.labels(route, str(status)).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)
