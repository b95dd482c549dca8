"""The key that signs clearances: supplied in production, generated into the data folder in development."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign

from ..config import IntakeSettings

logger = logging.getLogger("wenping.intake.clearances")


@dataclass(frozen=True)
class ClearanceKey:
    private_pem: bytes
    jwk: dict[str, str]
    generated: bool

    @property
    def kid(self) -> str:
        return self.jwk["kid"]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}

    def sign(self, claims: dict[str, Any]) -> str:
        return sign(claims, self.private_pem, self.kid)


def load_clearance_key(settings: IntakeSettings) -> ClearanceKey:
    """Blocking file I/O: call once at start-up (in a thread), before serving."""
    if settings.clearance_private_key:
        pem = settings.clearance_private_key.encode()
        return ClearanceKey(pem, public_jwk(pem), generated=False)
    if settings.clearance_private_key_file:
        pem = settings.clearance_private_key_file.read_bytes()
        return ClearanceKey(pem, public_jwk(pem), generated=False)
    path = settings.dev_clearance_key_path
    if path.exists():
        pem = path.read_bytes()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate_private_key_pem()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        logger.warning("generated a development clearance signing key at %s", path)
    return ClearanceKey(pem, public_jwk(pem), generated=True)
