"""What the worked examples (worked_example.py, inspections_example.py) share: the services they
talk to (``registry_url intake_url`` on the command line, else ``make run``'s ports), the demo
sign-in and the transcript they print."""

import sys

import httpx

REG, INT = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else ("http://127.0.0.1:8003", "http://127.0.0.1:8001")


def say(line: str = "") -> None:
    print(line)


def auth(user: str) -> dict[str, str]:
    r = httpx.post(f"{REG}/api/v1/auth/token", data={"grant_type": "password", "username": user, "password": "wenping-demo"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
