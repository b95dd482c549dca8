"""The only module that touches python-jose.

ES256 only, an explicit allow-list, and iss/aud/exp/sub required. Keys travel as PEM (private)
and JWK (public); key generation uses ``cryptography`` directly.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk, jws, jwt
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from ._errors import TokenExpired, Unauthorized, WrongAudience, WrongIssuer

#: The allow-list. Never derived from the token header.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("ES256",)
SIGNING_ALGORITHM = "ES256"


class TokenRejected(Exception):
    """A token failed verification; ``reason`` is a Chinese sentence for the client."""

    def __init__(self, reason: str, problem: type[Unauthorized] = Unauthorized) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem = problem

    @property
    def code(self) -> str:
        return self.problem.code


def generate_private_key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def public_jwk(private_key_pem: bytes) -> dict[str, str]:
    """The public half as a JWK, with a ``kid`` derived from the key (RFC 7638 thumbprint)."""
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("签名密钥必须是 P-256 椭圆曲线私钥（ES256）")
    numbers = key.public_key().public_numbers()
    x, y = _b64(numbers.x), _b64(numbers.y)
    thumb = f'{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}'.encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(thumb).digest()).rstrip(b"=").decode()
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"}


def sign(claims: dict[str, Any], private_key_pem: bytes, kid: str) -> str:
    return jwt.encode(claims, private_key_pem.decode(), algorithm=SIGNING_ALGORITHM, headers={"kid": kid})


def unverified_header(token: str) -> dict[str, Any]:
    try:
        header = jws.get_unverified_header(token)
    except JOSEError as exc:
        raise TokenRejected("令牌格式无效") from exc
    if not isinstance(header, dict):
        raise TokenRejected("令牌格式无效")
    return header


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, read before verification only to pick the keys to verify it with."""
    try:
        claims = jwt.get_unverified_claims(token)
    except JOSEError as exc:
        raise TokenRejected("令牌格式无效") from exc
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


@functools.lru_cache(maxsize=64)
def _public_key(key_json: str) -> Any:
    """The verifying key object of one public JWK, built once per key rather than per request
    (the whole JWK is the cache key, so a rotated or changed key is a new entry)."""
    return jwk.construct(json.loads(key_json), algorithm=SIGNING_ALGORITHM)


def verify(token: str, key: dict[str, Any], *, issuer: str, audience: str) -> dict[str, Any]:
    """Verify signature and claims against one public JWK; return the claims."""
    header = unverified_header(token)
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise TokenRejected(f"不接受的签名算法：{header.get('alg')}")
    try:
        public = _public_key(json.dumps(key, sort_keys=True))
        return jwt.decode(
            token,
            public,
            algorithms=list(ALLOWED_ALGORITHMS),
            audience=audience,
            issuer=issuer,
            options={
                "require_iss": True,
                "require_aud": True,
                "require_exp": True,
                "require_sub": True,
                "require_iat": True,
                "verify_nbf": True,
            },
        )
    except ExpiredSignatureError as exc:
        raise TokenRejected("令牌已过期", TokenExpired) from exc
    except JWTClaimsError as exc:
        message = str(exc)
        if "audience" in message.lower():
            raise TokenRejected("令牌的受众（aud）不是本服务", WrongAudience) from exc
        if "issuer" in message.lower():
            raise TokenRejected("令牌签发者（iss）不受信任", WrongIssuer) from exc
        raise TokenRejected("令牌声明无效：缺少或错误的必需声明") from exc
    except JOSEError as exc:
        raise TokenRejected("令牌无效：签名或必需声明校验失败") from exc
