"""Real service processes for the fault tests: each one can be stopped, killed (-9) and started
again on the same port and database, so a test can take a peer away in the middle of its work.

Bounded: readiness waits are generous (a loaded machine imports slowly) but end; every process
is stopped when the fleet closes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from process_kit import READY_SECONDS, environment, free_port, prepare, stop, wait_ready

PASSWORD = "wenping-demo"


class Fleet:
    """Some of the services as processes on 127.0.0.1 (SQLite databases under ``root``)."""

    def __init__(self, root: Path, names: tuple[str, ...], settings: dict[str, str] | None = None,
                 peers: dict[str, str] | None = None, databases: dict[str, str] | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.names = names
        self.urls = {name: f"http://127.0.0.1:{free_port()}" for name in names}
        self.env = environment(root, self.urls, {"OUTBOX_POLL_SECONDS": "0.5", **(settings or {})}, peers=peers,
                               databases=databases or {})
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        for name in names:
            prepare(name, self.env)

    def start(self, *names: str) -> None:
        for name in names or self.names:
            with open(self.root / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
                self.processes[name] = subprocess.Popen([sys.executable, "-m", f"wenping_{name}", "serve"],
                                                        env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + READY_SECONDS
        for name in names or self.names:
            wait_ready(name, self.urls[name], deadline, log=self.root / f"{name}.log", process=self.processes[name])

    def stop(self, name: str) -> None:
        stop([self.processes.pop(name)], timeout=20)

    def kill(self, name: str) -> None:
        """kill -9: no shutdown, no rollback, whatever was in flight is simply gone."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def token(self, username: str) -> dict[str, str]:
        r = httpx.post(self.urls["registry"] + "/api/v1/auth/token",
                       data={"grant_type": "password", "username": username, "password": PASSWORD}, timeout=30)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def client(self, name: str, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.urls[name], timeout=timeout)


class BlackHole:
    """A peer that accepts connections (the kernel completes the handshake) and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> BlackHole:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def project_body() -> dict[str, Any]:
    return {"title": f"故障测试项目-{uuid.uuid4().hex[:8]}", "category": "project", "sub_kind": "urban_renewal",
            "initiation": "initiation", "filing_batch": "ad_hoc", "interests": ["demolition"],
            "affected_population": 1200, "description": "老旧小区改造", "implementing_unit_name": "南湖城市建设投资有限公司",
            "planned_decision_date": "2026-12-31", "deadline": "2026-12-01"}


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own (initdb in a temp dir, a free port, run as the postgres
    user), so a test can restart it without touching the machine's shared server."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o777)
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"], 120)

    def _as_postgres(self, command: list[str], timeout: float) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(prefix + command, capture_output=True, timeout=timeout)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                           str(self.root / "postgres.log"), "-w", "-t", "90", *extra, action], 120)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        self._as_postgres([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                           "postgres", "-c", f'CREATE DATABASE "{name}"'], 60)

    def titles(self, database: str) -> list[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", "SELECT title FROM project"],
                              capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout.decode().splitlines()
