"""The registry's signing key: generated into the data folder in development, supplied in production.

During a key rotation the previous key's public half is published beside the current one, so
tokens signed before the switch keep verifying until they expire (docs/operations.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from wenping_shared.tokens import PrivateKey, load_private_key, public_jwk

from .config import RegistrySettings

logger = logging.getLogger("wenping.registry.keys")


@dataclass(frozen=True)
class SigningKey(PrivateKey):
    #: Public keys of retired signing keys still trusted (a rotation's overlap).
    previous: tuple[dict[str, str], ...] = ()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk, *(k for k in self.previous if k["kid"] != self.kid)]}

    def public_jwk_for(self, kid: str) -> dict[str, str] | None:
        return next((k for k in (self.jwk, *self.previous) if k["kid"] == kid), None)


def load_signing_key(settings: RegistrySettings) -> SigningKey:
    """Blocking file I/O: call once at start-up, before serving."""
    pem, generated = load_private_key(settings.jwt_private_key, settings.jwt_private_key_file, settings.dev_key_path,
                                      "signing key")
    return SigningKey(pem, public_jwk(pem), generated=generated, previous=_previous_keys(settings))


def _previous_keys(settings: RegistrySettings) -> tuple[dict[str, str], ...]:
    path = settings.jwt_previous_key_file
    if path is None or not path.exists():
        return ()
    logger.info("key rotation: the previous signing key stays in the JWKS")
    return (public_jwk(path.read_bytes()),)
