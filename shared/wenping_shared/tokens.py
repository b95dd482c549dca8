"""Token minting (the registry's tokens, intake's clearances) and the keys that sign them.
Verification lives in the auth dependencies."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._jwt import ALLOWED_ALGORITHMS, SIGNING_ALGORITHM, TokenRejected, generate_private_key_pem, public_jwk, sign

__all__ = [
    "ALLOWED_ALGORITHMS",
    "SIGNING_ALGORITHM",
    "PrivateKey",
    "TokenRejected",
    "generate_private_key_pem",
    "load_private_key",
    "public_jwk",
    "sign",
]

logger = logging.getLogger("wenping.keys")


@dataclass(frozen=True)
class PrivateKey:
    """An ES256 signing key with its public JWK."""

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


def load_private_key(pem: str | None, pem_file: Path | None, dev_path: Path, what: str) -> tuple[bytes, bool]:
    """The private key (PEM) and whether it was generated: supplied as text or as a file (production),
    else the development key kept at ``dev_path``, generated there on first start.

    Blocking file I/O: call once at start-up (in a thread), before serving."""
    if pem:
        return pem.encode(), False
    if pem_file:
        return pem_file.read_bytes(), False
    if dev_path.exists():
        return dev_path.read_bytes(), True
    dev_path.parent.mkdir(parents=True, exist_ok=True)
    generated = generate_private_key_pem()
    # Written owner-only: even a development key should not be world-readable. Several workers
    # may start at once: each writes its own file and links it into place; the first link wins.
    draft = dev_path.with_name(f"{dev_path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(generated)
    try:
        os.link(draft, dev_path)
        logger.warning("generated a development %s at %s", what, dev_path)
    except FileExistsError:
        generated = dev_path.read_bytes()
    finally:
        draft.unlink()
    return generated, True
