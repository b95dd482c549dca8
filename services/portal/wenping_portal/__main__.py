"""``python -m wenping_portal serve`` (migrate and seed are accepted and do nothing: the portal keeps
only report drafts, in a small table it creates at start-up)."""

from __future__ import annotations

import argparse

import uvicorn

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
    trusted = settings.forwarded_allow_ips.strip()
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default: only configured proxies may name the client.
    # asyncio's loop, as the services (wenping_shared.cli.serve_options says why).
    uvicorn.run("wenping_portal.main:create_app", factory=True, host=settings.host, port=settings.port, loop="asyncio",
                log_config=None, access_log=False, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "")


main()
