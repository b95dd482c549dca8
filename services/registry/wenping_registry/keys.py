"""The registry's signing key: generated into the data folder in development, supplied in production.

During a key rotation the previous key's public half is published beside the current one, so
tokens signed before the switch keep verifying until they expire (docs/operations.md).
"""

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
    #: Public keys of retired signing keys still trusted (a rotation's overlap).
    previous: tuple[dict[str, str], ...] = ()

    @property
    def kid(self) -> str:
        return self.jwk["kid"]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk, *(k for k in self.previous if k["kid"] != self.kid)]}

    def public_jwk_for(self, kid: str) -> dict[str, str] | None:
        return next((k for k in (self.jwk, *self.previous) if k["kid"] == kid), None)


def load_signing_key(settings: RegistrySettings) -> SigningKey:
    """Blocking file I/O: call once at start-up, before serving."""
    previous = _previous_keys(settings)
    if settings.jwt_private_key:
        pem = settings.jwt_private_key.encode()
        return SigningKey(pem, public_jwk(pem), generated=False, previous=previous)
    if settings.jwt_private_key_file:
        pem = settings.jwt_private_key_file.read_bytes()
        return SigningKey(pem, public_jwk(pem), generated=False, previous=previous)
    path = settings.dev_key_path
    if path.exists():
        pem = path.read_bytes()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate_private_key_pem()
        # Written owner-only: even a development key should not be world-readable. Several workers
        # may start at once: each writes its own file and links it into place; the first link wins.
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(draft, path)
            logger.warning("generated a development signing key at %s", path)
        except FileExistsError:
            pem = path.read_bytes()
        finally:
            draft.unlink()
    return SigningKey(pem, public_jwk(pem), generated=True, previous=previous)


def _previous_keys(settings: RegistrySettings) -> tuple[dict[str, str], ...]:
    path = settings.jwt_previous_key_file
    if path is None or not path.exists():
        return ()
    logger.info("key rotation: the previous signing key stays in the JWKS")
    return (public_jwk(path.read_bytes()),)
