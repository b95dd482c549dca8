"""Domain counters the services increment (the HTTP, outbox and pool metrics are collected by the
shared app): ``REVIEW_VERDICTS.labels(verdict).inc()`` and the like."""

from ._metrics import EXPERT_DRAWS, LOGIN_FAILURES, REVIEW_VERDICTS

__all__ = ["EXPERT_DRAWS", "LOGIN_FAILURES", "REVIEW_VERDICTS"]
