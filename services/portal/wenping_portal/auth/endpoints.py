"""Sign-in (the password grant of the registry, done by the portal on the user's behalf) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..deps import Csrf, SessionDep, any_session, store_of, upstream_of
from ..rendering import page
from ..sessions import PortalSession, PortalUser, user_from_me
from ..upstream import refused

router = APIRouter(tags=["auth"])

#: Where each role starts (its main page).
HOME_BY_ROLE = (
    ("supervisor", "/dashboard"),
    ("reviewer", "/reviews"),
    ("admin", "/admin/experts"),
    ("filer", "/projects"),
    ("agency", "/projects"),
)


def home_of(user: PortalUser) -> str:
    for role, path in HOME_BY_ROLE:
        if user.has_role(role):
            return path
    return "/reminders"


@router.get("/", summary="登录页（已登录时转到本角色首页）")
async def sign_in_page(request: Request, session: Annotated[PortalSession, Depends(any_session)]) -> Response:
    if session.signed_in and session.user is not None:
        return RedirectResponse(home_of(session.user), status_code=303)
    return page(request, "sign_in.html", title="登录")


@router.post("/sign-in", dependencies=[Csrf])
async def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    session = any_session(request)
    username = username.strip()
    if not username or not password:
        return page(request, "sign_in.html", 400, title="登录", error="请输入用户名和密码", username=username)
    upstream = upstream_of(request)
    # The registry limits failed sign-ins per client address: it must count the person's address,
    # not the portal's (it believes this header only from addresses in its forwarded_allow_ips).
    client = request.client.host if request.client else "unknown"
    answer = await upstream.send(
        "registry", "POST", "/api/v1/auth/token", token=None, headers={"X-Forwarded-For": client},
        data={"grant_type": "password", "username": username, "password": password},
    )
    if answer.status_code != 200:
        problem = refused(answer)
        status = answer.status_code if answer.status_code in (429, 503) else 400
        response = page(request, "sign_in.html", status, title="登录", error=problem.detail, username=username)
        if "retry-after" in answer.headers:
            response.headers["Retry-After"] = answer.headers["retry-after"]
        return response
    grant = answer.json()
    token = str(grant["access_token"])
    me = await upstream.send("registry", "GET", "/api/v1/users/me", token=token)
    if me.status_code != 200:
        return page(request, "sign_in.html", 400, title="登录", error=refused(me).detail, username=username)
    user = user_from_me(me.json())
    fresh = store_of(request).sign_in(token, float(grant.get("expires_in", 3600)), user)
    request.state.ended_sessions.append(session)  # its id, known before sign-in, is worth nothing after
    request.state.portal_session = fresh
    request.state.new_cookie = True
    return RedirectResponse(home_of(user), status_code=303)


@router.post("/sign-out", dependencies=[Csrf])
async def sign_out(request: Request, session: SessionDep) -> Response:
    request.state.ended_sessions.append(session)  # the row goes: every portal process forgets it
    request.state.portal_session = None
    request.state.drop_cookie = True
    return RedirectResponse("/", status_code=303)


@router.get("/home")
async def home(session: SessionDep) -> Response:
    assert session.user is not None
    return RedirectResponse(home_of(session.user), status_code=303)
