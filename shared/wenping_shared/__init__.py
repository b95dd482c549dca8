"""The library the three Wenping services share. Import from here, not from private modules."""

from ._app import ServiceRuntime, check_if_match, etag_for, install_conventions, open_runtime, running_service
from ._auth import (
    AUDIENCES,
    Principal,
    RemoteJWKS,
    TokenVerifier,
    authenticate,
    region_contains,
    region_prefix,
    require_roles,
    require_service,
)
from ._context import current_request_id
from ._db import create_engine, create_sessionmaker, db_session, is_sqlite
from ._errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
    WenpingError,
    install_error_handlers,
    validation_problem,
)
from ._http import ServiceClient, ServiceTokens
from ._idempotency import IdempotencyRecordFields, idempotency_constraints, run_idempotent
from ._logging import configure_logging
from ._migrations import migrations_current, run_env, upgrade_to_head
from ._outbox import OutboxMessageFields, OutboxRelay, enqueue, outbox_indexes, utcnow
from ._pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, PageParams, PageParamsDep, decode_cursor, encode_cursor
from ._settings import DEV_SECRETS, ProductionConfigError, ServiceSettings, check_production
from ._types import UTCDateTime

__all__ = [
    "AUDIENCES",
    "DEFAULT_LIMIT",
    "DEV_SECRETS",
    "MAX_LIMIT",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "IdempotencyRecordFields",
    "NotFound",
    "OutboxMessageFields",
    "OutboxRelay",
    "Page",
    "PageParams",
    "PageParamsDep",
    "PayloadTooLarge",
    "PreconditionFailed",
    "PreconditionRequired",
    "Principal",
    "ProductionConfigError",
    "RemoteJWKS",
    "ServiceClient",
    "ServiceRuntime",
    "ServiceSettings",
    "ServiceTokens",
    "ServiceUnavailable",
    "TokenVerifier",
    "TooManyRequests",
    "UTCDateTime",
    "Unauthorized",
    "UnprocessableEntity",
    "WenpingError",
    "authenticate",
    "check_if_match",
    "check_production",
    "configure_logging",
    "create_engine",
    "create_sessionmaker",
    "current_request_id",
    "db_session",
    "decode_cursor",
    "encode_cursor",
    "enqueue",
    "etag_for",
    "idempotency_constraints",
    "install_conventions",
    "install_error_handlers",
    "is_sqlite",
    "migrations_current",
    "open_runtime",
    "outbox_indexes",
    "region_contains",
    "region_prefix",
    "require_roles",
    "require_service",
    "run_env",
    "run_idempotent",
    "running_service",
    "upgrade_to_head",
    "utcnow",
    "validation_problem",
]
