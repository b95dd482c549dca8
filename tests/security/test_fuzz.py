"""Fuzzing (issue 10, point 4): schemathesis, pinned in the dev lock, against each service's OpenAPI
document with the tokens of several roles, a bounded number of examples per operation.

Checks: no 5xx, every status code answered is declared, every response conforms to its declared
schema and content type. The fuzzer writes whatever it generates, so it runs against a system of
its own (fresh databases, the demo seed), served by real uvicorn servers on 127.0.0.1 (free ports)
in this process; schemathesis itself runs as the `st` command.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from apps_kit import SUITE, databases, migrate_and_seed, served, service_settings, started
from system_kit import RoutingTransport

from wenping_shared.demo import DEMO_PASSWORD, INTEGRATION_CLIENT

#: Examples per operation and role (the examples and fuzzing phases; the coverage phase, which
#: enumerates boundary values of every field, takes minutes per service and stays out of `make test`).
MAX_EXAMPLES = int(os.environ.get("WENPING_FUZZ_EXAMPLES", "3"))
PHASES = os.environ.get("WENPING_FUZZ_PHASES", "examples,fuzzing")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"

#: Who fuzzes which service: the roles that reach most of its operations.
RUNS: dict[str, tuple[str, ...]] = {
    "intake": ("jx.fgw.filer", "client:demo-platform"),
    "review": ("jx.reviewer", "jx.zjj.filer"),
    "registry": ("zj.admin", "jx.reviewer"),
}


@pytest.fixture(scope="module")
async def fuzz_urls(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[dict[str, str], dict[str, str]]]:
    async with databases("wp_test", "fz" + uuid.uuid4().hex[:8]) as urls:
        settings = service_settings(tmp_path_factory.mktemp("fuzz"), urls, SUITE)
        await migrate_and_seed(settings)
        transport = RoutingTransport()
        async with started(settings, transport, transport.apps):
            tokens = await _tokens(transport)
            async with (
                served(transport.apps["intake"].app) as i,
                served(transport.apps["review"].app) as v,
                served(transport.apps["registry"].app) as r,
            ):
                yield {"intake": i, "review": v, "registry": r}, tokens


async def _tokens(transport: httpx.AsyncBaseTransport) -> dict[str, str]:
    """Every token the runs need, taken before the fuzzer hammers the token endpoint."""
    wanted = {who for whos in RUNS.values() for who in whos}
    tokens = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as registry:
        for who in wanted:
            if who.startswith("client:"):
                client_id, secret, *_ = INTEGRATION_CLIENT
                data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
            else:
                data = {"grant_type": "password", "username": who, "password": DEMO_PASSWORD}
            response = await registry.post("/api/v1/auth/token", data=data)
            assert response.status_code == 200, response.text
            tokens[who] = response.json()["access_token"]
    return tokens


@pytest.mark.parametrize("service", list(RUNS))
async def test_fuzz_finds_no_server_error_and_no_undeclared_answer(
    fuzz_urls: tuple[dict[str, str], dict[str, str]], service: str, tmp_path: Path
) -> None:
    urls, tokens = fuzz_urls
    st = Path(sys.executable).with_name("st")
    failures = []
    for who in RUNS[service]:
        process = await asyncio.create_subprocess_exec(
            str(st), "run", f"{urls[service]}/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES),
            "--phases", PHASES,
            "--seed", "20261129",
            "--workers", "1",
            "--no-shrink",
            "--request-timeout", "30",
            "--suppress-health-check", "all",
            "--warnings", "off",
            "--header", f"Authorization: Bearer {tokens[who]}",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"},
        )
        output, _ = await process.communicate()
        text = output.decode("utf-8", "replace")
        print(f"\n--- schemathesis {service} as {who}: exit {process.returncode}\n{text[-1500:]}")
        if process.returncode != 0:
            failures.append(f"{service} as {who}:\n{text[-12000:]}")
    assert not failures, "\n\n".join(failures)
