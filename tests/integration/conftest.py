"""The three services as real uvicorn processes on 127.0.0.1, shared by the integration tests
(generated clients, the browser on /docs, the guide's curl examples). Started once per session,
on the embedded database, and stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

NAMES = ("registry", "intake", "review")
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """{service: base URL} of freshly migrated and seeded processes."""
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the process-level tests run once, on the embedded database")
    root = tmp_path_factory.mktemp("live")
    urls = {name: f"http://127.0.0.1:{_free_port()}" for name in NAMES}
    env = {**os.environ}
    for name in NAMES:
        prefix = f"WENPING_{name.upper()}_"
        env[prefix + "DATA_DIR"] = str(root / name)
        env[prefix + "PORT"] = urls[name].rsplit(":", 1)[1]
        env[prefix + "LOG_LEVEL"] = "WARNING"
        env[prefix + "OUTBOX_POLL_SECONDS"] = "0.2"
        for peer in NAMES:
            env[prefix + f"{peer.upper()}_URL"] = urls[peer]

    def prepare(name: str) -> None:
        for command in ("migrate", "seed"):
            subprocess.run([sys.executable, "-m", f"wenping_{name}", command], env=env, check=True,
                           capture_output=True, timeout=180)

    with ThreadPoolExecutor(len(NAMES)) as pool:  # each service has its own database: prepare them side by side
        list(pool.map(prepare, NAMES))
    logs = {name: (root / f"{name}.log").open("wb") for name in NAMES}
    processes = [subprocess.Popen([sys.executable, "-m", f"wenping_{name}", "serve"], env=env,
                                  stdout=logs[name], stderr=subprocess.STDOUT) for name in NAMES]
    try:
        deadline = time.monotonic() + 60
        for name, url in urls.items():
            while True:
                try:
                    if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    tail = (root / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{name} ({url}) did not become ready:\n{tail}")
                time.sleep(0.2)
        yield urls
    finally:
        for p in processes:
            p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs.values():
            log.close()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Screenshots and generated output kept for people to look at (git-ignored)."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
