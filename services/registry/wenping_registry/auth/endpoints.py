from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from wenping_shared import described

from ..deps import SessionDep, SessionmakerDep, SettingsDep, SigningKeyDep
from ..errors import UnsupportedGrantType
from .service import TokenIssuer

router = APIRouter(tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


@router.post(
    "/api/v1/auth/token",
    response_model=TokenResponse,
    summary="OAuth2 令牌端点（password / client_credentials）",
    description="表单编码。`resource`（RFC 8707）指定单一受众：intake、review 或 registry。",
    responses=described({
        400: "授权方式、scope 或 resource 无效",
        401: "用户名、密码或客户端凭据错误",
        429: "认证失败次数过多，暂时锁定（见 Retry-After）",
    }),
)
async def issue_token(
    request: Request,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    key: SigningKeyDep,
    grant_type: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    resource: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    issuer = TokenIssuer(session, sessionmaker, settings, key)
    address = request.client.host if request.client else "unknown"
    if grant_type == "password":
        return await issuer.password_grant(username or "", password or "", resource, address)
    if grant_type == "client_credentials":
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        return await issuer.client_credentials_grant(client_id or "", client_secret or "", resource, scope, address)
    raise UnsupportedGrantType()


@router.get("/.well-known/jwks.json", summary="令牌验签公钥（JWKS）")
async def jwks(key: SigningKeyDep) -> dict[str, Any]:
    return key.jwks()
