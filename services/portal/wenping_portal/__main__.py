"""``python -m wenping_portal serve`` (migrate and seed are accepted and do nothing: the portal keeps
only report drafts, in a small table it creates at start-up)."""

from __future__ import annotations

import argparse

import uvicorn

from wenping_shared.cli import serve_options

from .config import PortalSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="wenping-portal")
    parser.add_argument("command", choices=["migrate", "seed", "serve"])
    args = parser.parse_args()
    settings = PortalSettings()
    if args.command != "serve":
        print(f"portal: nothing to {args.command}")
        return
    problems = settings.production_problems()
    if problems:
        raise SystemExit("portal 拒绝以生产模式启动：" + "；".join(problems))
    uvicorn.run("wenping_portal.main:create_app", factory=True, **serve_options(settings))


main()
