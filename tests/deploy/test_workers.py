"""The production command with several workers: `WEB_CONCURRENCY=2 python -m wenping_review serve`
starts two uvicorn workers, and /metrics (prometheus multiprocess mode) reports the requests of
both, whichever worker answers the scrape."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from deploy_kit import once_per_suite
from process_kit import free_port, wait_ready


def _healthz_count(text: str) -> float:
    match = re.search(r'wenping_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)', text)
    return float(match.group(1)) if match else 0.0


def test_metrics_add_up_across_workers(tmp_path: Path) -> None:
    once_per_suite()
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over from an earlier run")  # serve must clear it
    env = {**os.environ, "WENPING_REVIEW_DATA_DIR": str(tmp_path / "review"), "WENPING_REVIEW_PORT": str(port),
           "WENPING_REVIEW_LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "2", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    subprocess.run([sys.executable, "-m", "wenping_review", "migrate"], env=env, check=True, capture_output=True,
                   timeout=180)
    process = subprocess.Popen([sys.executable, "-m", "wenping_review", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready("review with two workers", base, time.monotonic() + 120, process=process)
        workers = {p.name for p in metrics_dir.iterdir()}
        for _ in range(30):
            with httpx.Client() as client:  # a new connection each time: the workers share the socket
                assert client.get(base + "/healthz", timeout=5).status_code == 200
        for _ in range(4):
            with httpx.Client() as client:
                assert _healthz_count(client.get(base + "/metrics", timeout=10).text) == 30
        pids = {re.search(r"_(\d+)\.db$", name).group(1) for name in os.listdir(metrics_dir)  # type: ignore[union-attr]
                if re.search(r"_(\d+)\.db$", name)}
        assert len(pids) >= 2, f"expected two workers' files, found {sorted(os.listdir(metrics_dir))}"
        assert "counter_999999.db" not in workers
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
