"""The key that signs clearances: supplied in production, generated into the data folder in development."""

from __future__ import annotations

from wenping_shared.tokens import PrivateKey, load_private_key, public_jwk

from ..config import IntakeSettings

ClearanceKey = PrivateKey


def load_clearance_key(settings: IntakeSettings) -> ClearanceKey:
    """Blocking file I/O: call once at start-up (in a thread), before serving."""
    pem, generated = load_private_key(settings.clearance_private_key, settings.clearance_private_key_file,
                                      settings.dev_clearance_key_path, "clearance signing key")
    return ClearanceKey(pem, public_jwk(pem), generated=generated)
