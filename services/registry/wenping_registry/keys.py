"""The registry's signing key: generated into the data folder in development, supplied in production."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from wenping_shared.tokens import generate_private_key_pem, public_jwk

from .config import RegistrySettings

logger = logging.getLogger("wenping.registry.keys")


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes
    jwk: dict[str, str]
    generated: bool

    @property
    def kid(self) -> str:
        return self.jwk["kid"]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}


def load_signing_key(settings: RegistrySettings) -> SigningKey:
    """Blocking file I/O: call once at start-up, before serving."""
    if settings.jwt_private_key:
        pem = settings.jwt_private_key.encode()
        return SigningKey(pem, public_jwk(pem), generated=False)
    if settings.jwt_private_key_file:
        pem = settings.jwt_private_key_file.read_bytes()
        return SigningKey(pem, public_jwk(pem), generated=False)
    path = settings.dev_key_path
    if path.exists():
        pem = path.read_bytes()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate_private_key_pem()
        # Written owner-only: even a development key should not be world-readable.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        logger.warning("generated a development signing key at %s", path)
    return SigningKey(pem, public_jwk(pem), generated=True)
