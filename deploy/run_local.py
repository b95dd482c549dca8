"""Start the three services on 127.0.0.1 (registry first), print their URLs and the demo accounts,
and stop all three cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from wenping_shared.demo import ACCOUNTS, DEMO_PASSWORD, INTEGRATION_CLIENT

SERVICES = (("registry", 8003), ("intake", 8001), ("review", 8002))
#: The web portal starts last (it only calls the others) and is printed first: it is where people begin.
PORTAL = ("portal", 8000)


def wait_healthy(port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def main() -> int:
    processes: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    # Explicit, because a shell that starts us in the background may have set SIGINT to "ignore".
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        for name, port in (*SERVICES, PORTAL):
            env = {**os.environ, f"WENPING_{name.upper()}_PORT": str(port)}
            if name == "registry":
                # The portal signs people in from 127.0.0.1 and names their address in X-Forwarded-For:
                # the registry's per-address sign-in limit must count theirs, not the portal's.
                env.setdefault("WENPING_REGISTRY_FORWARDED_ALLOW_IPS", "127.0.0.1")
            # Own session: the terminal's Ctrl-C reaches only this runner, which stops the services in order.
            processes.append(
                subprocess.Popen([sys.executable, "-m", f"wenping_{name}", "serve"], env=env, start_new_session=True)
            )
            if not wait_healthy(port):
                print(f"{name} 未能在 127.0.0.1:{port} 启动", file=sys.stderr)
                stop()
                return 1
        print("\n稳评 Wenping 已启动：")
        print(f"  门户      http://127.0.0.1:{PORTAL[1]}   （用浏览器打开，以下列演示账号登录）")
        for name, port in SERVICES:
            print(f"  {name:<9} http://127.0.0.1:{port}   (API 文档 http://127.0.0.1:{port}/docs)")
        print(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        print(f"  {'username':<14} {'role':<11} organisation")
        for username, _, role, org, region in ACCOUNTS:
            print(f"  {username:<14} {role:<11} {org}（{region}）")
        client_id, secret, region, scopes = INTEGRATION_CLIENT
        print(f"\n对接客户端：client_id={client_id} client_secret={secret} region={region} scope={' '.join(scopes)}")
        print("\n获取令牌：curl -s -d grant_type=password -d username=jx.fgw.filer -d password=wenping-demo "
              "http://127.0.0.1:8003/api/v1/auth/token")
        print("按 Ctrl-C 停止全部服务。\n")
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("有服务意外退出，正在停止其余服务。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n正在停止……")
        stop()
        print("全部服务均已停止。")
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
