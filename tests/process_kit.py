"""The services as real uvicorn processes on 127.0.0.1: free ports, scratch databases, migrated and
seeded, ready before the first request, stopped at the end.

One way to start them for every process-level test (tests/e2e, tests/integration, the portal's
browser story): ``with running(root) as urls: ...`` yields ``{service: base URL}``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

#: The services with a database of their own; the portal only calls them.
SERVICES = ("registry", "intake", "review")
#: Generous but bounded: on a loaded shared machine importing an app alone can take many seconds.
READY_SECONDS = 90.0


def embedded_database_only(what: str) -> None:
    """Process-level tests run once, on SQLite: a second run on PostgreSQL would prove nothing new."""
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip(f"{what} runs once, on the embedded database")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(
    root: Path, urls: dict[str, str], settings: dict[str, str] | None = None, *,
    peers: dict[str, str] | None = None, databases: dict[str, str] | None = None,
) -> dict[str, str]:
    """The processes' environment: each service's data directory under ``root``, its port, its peers'
    URLs (``peers`` adds or replaces some, e.g. a peer that never answers), ``settings`` for every
    service and, with ``databases``, each one's DATABASE_URL (empty: its SQLite file)."""
    env = {**os.environ}
    peer_urls = {**{peer: url for peer, url in urls.items() if peer in SERVICES}, **(peers or {})}
    for name, url in urls.items():
        prefix = f"WENPING_{name.upper()}_"
        env[prefix + "DATA_DIR"] = str(root / name)
        if databases is not None:
            env[prefix + "DATABASE_URL"] = databases.get(name, "")
        env[prefix + "PORT"] = url.rsplit(":", 1)[1]
        env[prefix + "LOG_LEVEL"] = "WARNING"
        for key, value in (settings or {}).items():
            env[prefix + key] = value
        for peer, peer_url in peer_urls.items():
            env[prefix + f"{peer.upper()}_URL"] = peer_url
    return env


def prepare(name: str, env: dict[str, str]) -> None:
    """Migrate and seed one service's database."""
    for command in ("migrate", "seed"):
        done = subprocess.run([sys.executable, "-m", f"wenping_{name}", command], env=env, capture_output=True,
                              timeout=240)
        if done.returncode != 0:
            raise RuntimeError(f"{name} {command} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")


def wait_ready(
    name: str, url: str, deadline: float, *, log: Path | None = None, process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Until ``url``/readyz answers 200; past ``deadline`` (or once ``process`` has ended) a RuntimeError
    with the tail of ``log``."""
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=15).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            tail = log.read_text(errors="replace")[-2000:] if log is not None else ""
            raise RuntimeError(f"{name} ({url}) did not become ready:\n{tail}")
        time.sleep(0.2)


def stop(processes: Iterable[subprocess.Popen[bytes]], timeout: float = 10) -> None:
    """SIGINT (a clean shutdown) to every process still running, then wait; kill what does not end."""
    processes = list(processes)
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in processes:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


@contextmanager
def running(
    root: Path, names: tuple[str, ...] = SERVICES, *, settings: dict[str, str] | None = None,
    ready_seconds: float = READY_SECONDS,
) -> Iterator[dict[str, str]]:
    """Start ``names`` (each with its scratch data directory under ``root``, its log in ``root/<name>.log``),
    yield ``{name: base URL}`` once all answer /readyz, stop them with SIGINT afterwards.

    ``settings`` are given to every process, e.g. ``{"OUTBOX_POLL_SECONDS": "0.2"}``."""
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in names}
    env = environment(root, urls, settings)
    with ThreadPoolExecutor(len(names)) as pool:  # each service has its own database: prepare them side by side
        list(pool.map(lambda name: prepare(name, env), [name for name in names if name in SERVICES]))
    with ExitStack() as stack:
        logs = {name: stack.enter_context((root / f"{name}.log").open("wb")) for name in names}
        processes: list[subprocess.Popen[bytes]] = []
        stack.callback(stop, processes)  # before the logs close: callbacks run last-in, first-out
        for name in names:
            processes.append(subprocess.Popen([sys.executable, "-m", f"wenping_{name}", "serve"], env=env,
                                              stdout=logs[name], stderr=subprocess.STDOUT))
        deadline = time.monotonic() + ready_seconds
        for name, url in urls.items():
            wait_ready(name, url, deadline, log=root / f"{name}.log")
        yield urls
