"""Token minting for the registry (the issuer). Verification lives in the auth dependencies."""

from ._jwt import ALLOWED_ALGORITHMS, SIGNING_ALGORITHM, TokenRejected, generate_private_key_pem, public_jwk, sign

__all__ = ["ALLOWED_ALGORITHMS", "SIGNING_ALGORITHM", "TokenRejected", "generate_private_key_pem", "public_jwk", "sign"]
