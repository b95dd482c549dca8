"""Jinja2 pages: the one template environment, Chinese labels and dates, the navigation per role."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from wenping_shared.contracts import vocab

from .sessions import PortalSession

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
_ENUMS: dict[str, type[StrEnum]] = {
    name: value for name, value in vars(vocab).items() if isinstance(value, type) and issubclass(value, StrEnum)
}
_LOCAL_ZONE = dt.timezone(dt.timedelta(hours=8))

#: (label, path, roles that see it): nothing links to a page the role's API calls would refuse.
NAVIGATION: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("工作台", "/dashboard", frozenset({"supervisor"})),
    ("我的项目", "/projects", frozenset({"filer"})),
    ("受托项目", "/projects", frozenset({"agency"})),
    ("辖区项目", "/projects", frozenset({"reviewer", "supervisor"})),
    ("报备新项目", "/projects/new", frozenset({"filer"})),
    ("决策清单", "/decision-lists", frozenset({"filer", "supervisor"})),
    ("审查队列", "/reviews", frozenset({"reviewer", "supervisor"})),
    ("提醒", "/reminders", frozenset({"filer", "agency", "reviewer", "supervisor"})),
    ("专家库", "/admin/experts", frozenset({"admin"})),
    ("专家抽取", "/admin/draws", frozenset({"admin", "reviewer"})),
    ("评估机构", "/admin/agencies", frozenset({"admin"})),
    ("用户", "/admin/users", frozenset({"admin"})),
)

ROLE_LABELS = {
    "filer": "报备员", "agency": "评估机构", "reviewer": "审查员", "supervisor": "维稳办负责人",
    "admin": "平台管理员", "expert": "专家",
}


def label(value: Any, enum_name: str) -> str:
    if value in (None, ""):
        return "—"
    enum_type = _ENUMS.get(enum_name)
    if enum_type is None:
        return str(value)
    try:
        return vocab.label_of(enum_type, str(value))
    except (KeyError, ValueError):
        return str(value)


def when(value: Any) -> str:
    """An RFC 3339 time as 2026-11-24 09:30 (Beijing time); a date as itself."""
    if not value:
        return "—"
    text = str(value)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(_LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f}%"


TEMPLATES.env.filters["label"] = label
TEMPLATES.env.filters["when"] = when
TEMPLATES.env.filters["percent"] = percent
TEMPLATES.env.globals["ROLE_LABELS"] = ROLE_LABELS


def navigation(session: PortalSession | None) -> list[tuple[str, str]]:
    if session is None or session.user is None:
        return []
    roles = set(session.user.roles)
    seen: set[str] = set()
    links = []
    for text, path, allowed in NAVIGATION:
        if roles & allowed and path not in seen:
            seen.add(path)
            links.append((text, path))
    return links


def page(request: Request, template: str, status_code: int = 200, *, fragment: bool = False, **context: Any) -> HTMLResponse:
    """A whole page (it shows, and so consumes, the session's messages) or a fragment for a script."""
    session: PortalSession | None = getattr(request.state, "portal_session", None)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "user": session.user if session is not None else None,
            "csrf_token": session.csrf_token if session is not None else "",
            "flashes": session.take_flashes() if session is not None and not fragment else [],
            "nav": navigation(session),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
