"""Several replicas are safe: two uvicorn processes of each service share one PostgreSQL database
per service, behind the real gateway configuration (nginx, round robin), and the whole workflow
goes through them alternately: filing (with an Idempotency-Key, and concurrent filings for the
human numbers), commissioning, the report, the review opened by intake's outbox, judgements, the
decision, the letter and expert draws. Afterwards every outbox message was delivered once in
effect, nothing is counted twice, the numbers are consecutive, the ledger chains verify, and the
login throttle held across the processes. Tracing is on (a local OTLP receiver): one trace
crosses intake and registry. Bounded: six processes, one workflow, about a minute.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from deploy_kit import DEPLOY, debian_binary, missing
from process_kit import free_port, prepare, stop, wait_ready
from system_kit import docx_bytes

from wenping_shared.contracts import samples
from wenping_shared.demo import DEMO_PASSWORD, demo_id, org_id

pytestmark = pytest.mark.e2e
SERVICES = ("registry", "intake", "review")
PG_ADMIN = os.environ.get("WENPING_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
FGW = "嘉兴市发展和改革委员会"
AGENCY = "嘉兴和谐社会风险评估咨询有限公司"


class OtlpReceiver(ThreadingHTTPServer):
    """Collects what the services export to /v1/traces (OTLP over HTTP, protobuf)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(self.rfile.read(int(self.headers.get("content-length", 0))))
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def spans(self) -> list[tuple[str, str]]:
        """(service name, trace id) of every span received."""
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        found = []
        for body in self.bodies:
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                name = next(a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name")
                for scope in resource_spans.scope_spans:
                    found += [(name, span.trace_id.hex()) for span in scope.spans]
        return found


def _query(database: str, sql: str) -> list[str]:
    dsn = PG_ADMIN.rsplit("/", 1)[0] + f"/{database}"
    result = subprocess.run(["psql", dsn, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True,
                            text=True, timeout=60)
    return result.stdout.split()


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "postgresql":
        pytest.skip("the replica test runs in the PostgreSQL pass (replicas share a PostgreSQL database)")
    try:
        _psql("SELECT 1")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        missing(f"PostgreSQL unreachable: {exc}")
    nginx = debian_binary("nginx", "nginx")
    root = tmp_path_factory.mktemp("replicas")
    run = uuid.uuid4().hex[:8]
    databases = {name: f"wp_rep_{run}_{name}" for name in SERVICES}
    ports = {name: (free_port(), free_port()) for name in SERVICES}
    gateway_port = free_port()
    gateway = f"http://127.0.0.1:{gateway_port}"
    receiver = OtlpReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.server_port}",
           "OTEL_BSP_SCHEDULE_DELAY": "500"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # Signing keys are supplied, as in production (two processes must not each generate a dev key).
    from wenping_shared.tokens import generate_private_key_pem

    env["WENPING_REGISTRY_JWT_PRIVATE_KEY"] = generate_private_key_pem().decode()
    env["WENPING_INTAKE_CLEARANCE_PRIVATE_KEY"] = generate_private_key_pem().decode()
    for name in SERVICES:
        prefix = f"WENPING_{name.upper()}_"
        env[prefix + "DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{databases[name]}"
        env[prefix + "DATA_DIR"] = str(root / name)  # intake's documents: shared storage, as in production
        env[prefix + "LOG_LEVEL"] = "INFO"
        env[prefix + "OUTBOX_POLL_SECONDS"] = "0.3"
        env[prefix + "HTTP_TIMEOUT_SECONDS"] = "30"  # production-cost password hashing on a shared 2-core machine
        for peer in SERVICES:
            # Every call to a peer goes through the gateway too, to either of its two processes.
            env[prefix + f"{peer.upper()}_URL"] = f"{gateway}/svc/{peer}"
    processes: list[subprocess.Popen[bytes]] = []
    logs: dict[str, list[Path]] = {name: [] for name in SERVICES}
    gateway_process = None
    try:
        for name in SERVICES:
            _psql(f'CREATE DATABASE "{databases[name]}"')
        with ThreadPoolExecutor(len(SERVICES)) as pool:  # three databases, prepared side by side
            list(pool.map(lambda name: prepare(name, env), SERVICES))
        for name in SERVICES:
            for index, port in enumerate(ports[name]):
                log = root / f"{name}-{index}.log"
                logs[name].append(log)
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", f"wenping_{name}", "serve"],
                    env={**env, f"WENPING_{name.upper()}_PORT": str(port)},
                    stdout=subprocess.DEVNULL, stderr=log.open("wb"),
                ))
        conf = (DEPLOY / "gateway" / "nginx.conf").read_text(encoding="utf-8")
        conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{gateway_port};").replace("listen [::]:8080;", "")
        conf = conf.replace("/tmp/", f"{root}/nginx-")  # pid file and temp folders
        conf = conf.replace("access_log /dev/stdout json;", "access_log off;")
        if os.geteuid() == 0:  # workers would run as nobody, who cannot enter pytest's private temp folder
            conf = "user root;\n" + conf
        (root / "nginx.conf").write_text(conf, encoding="utf-8")
        # max_fails=0: a relay that called a peer before it listened must not take both its processes
        # out for fail_timeout (10 s) after they are up; a refused connection still moves on to the other.
        upstreams = "".join(
            f"upstream {name} {{ server 127.0.0.1:{ports[name][0]} max_fails=0; server 127.0.0.1:{ports[name][1]} max_fails=0;"
            " keepalive 8; keepalive_timeout 4s; }\n"
            for name in SERVICES
        ) + f"upstream portal {{ server 127.0.0.1:{free_port()}; }}\n"
        (root / "upstreams.conf").write_text(upstreams, encoding="utf-8")
        gateway_process = subprocess.Popen([nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                                           stdout=subprocess.DEVNULL, stderr=(root / "nginx.log").open("wb"))
        deadline = time.monotonic() + 180  # six processes starting at once on a busy machine
        for name in SERVICES:
            for port in ports[name]:
                wait_ready(name, f"http://127.0.0.1:{port}", deadline)
        # Ready through the gateway too, twice over (round robin), before the tests start.
        for name in SERVICES:
            for _ in ports[name]:
                wait_ready(name, f"{gateway}/svc/{name}", deadline)
        yield {"gateway": gateway, "ports": ports, "logs": logs, "receiver": receiver, "databases": databases,
               "processes": processes}
    finally:
        for log in sorted(root.glob("*.log")):  # shown by pytest when a test failed
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            problems = [line for line in lines if "ERROR" in line or "error" in line or "Traceback" in line]
            print(f"--- {log.name}: {len(lines)} lines", *problems[-5:], sep="\n")
        stop(processes, timeout=20)
        if gateway_process is not None:
            gateway_process.terminate()
            gateway_process.wait(timeout=10)
        receiver.shutdown()
        for database in databases.values():
            _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


class Gateway:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    async def auth(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            r = await self.client.post("/api/v1/auth/token",
                                       data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            self.tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    async def until(self, check: Any, what: str, within: float = 30.0) -> Any:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}")


def project_body(title: str) -> dict[str, Any]:
    return {
        "title": title, "category": "project", "sub_kind": "urban_renewal", "initiation": "initiation",
        "filing_batch": "ad_hoc", "interests": ["land_requisition", "demolition", "environment", "employment"],
        "affected_population": 3860, "description": "老旧片区城市更新",
        "implementing_unit_name": samples.IMPLEMENTING_UNIT,
        "planned_decision_date": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
        "deadline": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
    }


async def report_for(gw: Gateway, project: dict[str, Any]) -> dict[str, Any]:
    data = samples.complete_report()
    later = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    for measure in data["measures"]["items"]:
        measure["deadline"] = later
    data["project_name"] = data["filing_form"]["project_name"] = project["title"]
    data["filing_form"]["decision_body"] = FGW
    data["filing_form"]["decision_body_org_id"] = org_id(FGW)
    data["filing_form"]["planned_decision_date"] = project["planned_decision_date"]
    data["assessor"]["agency_id"] = project["agency_id"]
    experts = (await gw.client.get("/api/v1/experts", params={"limit": 200}, headers=await gw.auth("jx.reviewer"))).json()
    wanted = {"construction", "land_requisition", "environment", "social_governance"}
    avoid = {org_id(FGW), org_id("嘉兴市住房和城乡建设局")}
    team = [e["id"] for e in experts["items"] if e.get("status") == "active" and set(e.get("fields") or ()) & wanted
            and e.get("employer_org_id") not in avoid][:3]
    assert len(team) == 3
    data["assessment_team"] = [{"name": f"专家{i}", "role": "评估专家", "expert_id": e} for i, e in enumerate(team, 1)] + [
        m for m in data["assessment_team"] if not m.get("expert_id")
    ]
    return data


def served_by(logs: list[Path], method: str, path_pattern: str) -> int:
    """How many requests matching ``path_pattern`` the processes' access logs show."""
    pattern = re.compile(rf'"msg": "{method} {path_pattern} \d+"')
    return sum(len(pattern.findall(log.read_text(encoding="utf-8", errors="replace"))) for log in logs)


async def test_the_workflow_through_two_replicas_of_each_service(cluster: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=cluster["gateway"], timeout=30) as client:
        gw = Gateway(client)
        filer = await gw.auth("jx.fgw.filer")

        # Login throttle: five failures spread over both registry processes lock the account.
        for _ in range(5):
            r = await client.post("/api/v1/auth/token",
                                  data={"grant_type": "password", "username": "zy.reviewer", "password": "nope"})
            assert r.status_code == 401
        r = await client.post("/api/v1/auth/token",
                              data={"grant_type": "password", "username": "zy.reviewer", "password": DEMO_PASSWORD})
        assert r.status_code == 429, r.text
        assert served_by(cluster["logs"]["registry"][:1], "POST", "/api/v1/auth/token") >= 1
        assert served_by(cluster["logs"]["registry"][1:], "POST", "/api/v1/auth/token") >= 1

        # Idempotency: the same key on both processes (one after the other, then at once) files once.
        key = {"Idempotency-Key": f"replicas-{uuid.uuid4()}"}
        body = project_body(f"多副本测试项目-{uuid.uuid4().hex[:6]}")
        first = await client.post("/api/v1/projects", json=body, headers={**filer, **key})
        assert first.status_code == 201, first.text
        again = await client.post("/api/v1/projects", json=body, headers={**filer, **key})
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        key2 = {"Idempotency-Key": f"replicas-{uuid.uuid4()}"}
        body2 = project_body(f"多副本并发幂等-{uuid.uuid4().hex[:6]}")
        both = await asyncio.gather(*(client.post("/api/v1/projects", json=body2, headers={**filer, **key2}) for _ in range(2)))
        created = {r.json()["id"] for r in both if r.status_code == 201}
        assert len(created) == 1 and all(r.status_code in (201, 409) for r in both), [r.text for r in both]

        # Human numbers: concurrent filings on both processes get consecutive, distinct numbers.
        many = await asyncio.gather(*(
            client.post("/api/v1/projects", json=project_body(f"多副本编号-{i}-{uuid.uuid4().hex[:4]}"), headers=filer)
            for i in range(6)
        ))
        assert all(r.status_code == 201 for r in many), [r.text for r in many if r.status_code != 201]
        numbers = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in many)
        assert numbers == list(range(numbers[0], numbers[0] + 6)), numbers

        # The workflow.
        project = first.json()
        pid = project["id"]
        for action in ("file", "start_assessment"):
            current = (await client.get(f"/api/v1/projects/{pid}", headers=filer)).json()
            r = await client.post(f"/api/v1/projects/{pid}/transitions", json={"action": action},
                                  headers={**filer, "If-Match": f'"{current["version"]}"'})
            assert r.status_code == 200, r.text
        r = await client.post(f"/api/v1/projects/{pid}/commission", json={"agency_id": demo_id("agency", AGENCY)},
                              headers=filer)
        assert r.status_code == 200, r.text
        project = r.json()
        agency = await gw.auth("agency.jx")
        # (The demo seed has hand-offs of its own in the outboxes: count from here.)
        opened_before = served_by(cluster["logs"]["review"], "POST", "/api/v1/reviews")
        performance_before = served_by(cluster["logs"]["registry"], "POST", "/api/v1/agencies/[^ /]+/performance")
        upload = await client.post("/api/v1/files", files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")},
                                   headers=agency)
        assert upload.status_code == 201, upload.text
        r = await client.post(f"/api/v1/projects/{pid}/reports",
                              json={"report": await report_for(gw, project), "document_file_id": upload.json()["id"]},
                              headers=agency)
        assert r.status_code == 201, r.text

        async def under_review() -> dict[str, Any] | None:
            current = (await client.get(f"/api/v1/projects/{pid}", headers=filer)).json()
            return current if current["status"] == "under_review" else None

        project = await gw.until(under_review, "intake's outbox to open the review")
        reviewer = await gw.auth("jx.reviewer")
        review = (await client.get(f"/api/v1/reviews/{project['current_review_id']}", headers=reviewer)).json()
        for item in review["items"]:
            if item["result"] == "pending":
                r = await client.put(f"/api/v1/reviews/{review['id']}/items/{item['code']}",
                                     json={"result": "pass", "comment": "经人工核实"}, headers=reviewer)
                assert r.status_code == 200, r.text
        current = await client.get(f"/api/v1/reviews/{review['id']}", headers=reviewer)
        r = await client.post(f"/api/v1/reviews/{review['id']}/decision", json={},
                              headers={**reviewer, "If-Match": current.headers["etag"]})
        assert r.status_code == 200, r.text
        assert r.json()["verdict"] == "approved"

        async def approved() -> dict[str, Any] | None:
            current = (await client.get(f"/api/v1/projects/{pid}", headers=filer)).json()
            return current if current["status"] == "approved" else None

        await gw.until(approved, "review's outbox to tell intake")
        letter = await client.get(f"/api/v1/reviews/{review['id']}/feedback.txt", headers=filer)
        assert letter.status_code == 200 and "审查通过" in letter.text

        draw = {"project_id": pid, "count": 2, "region_code": "330400",
                "fields": ["construction", "land_requisition", "environment", "social_governance"]}
        drawn = [await client.post("/api/v1/expert-draws", json=draw, headers=reviewer) for _ in range(2)]
        assert all(d.status_code == 201 for d in drawn), [d.text for d in drawn]
        picked = [{e["expert_id"] for e in d.json()["chosen"]} for d in drawn]
        assert not picked[0] & picked[1], "an expert drawn twice for one project"

        # Exactly once in effect: one review for the round, one hand-off and one decision delivered,
        # the agency's performance recorded once; the ledger chains verify.
        reviews = (await client.get("/api/v1/reviews", params={"project_id": pid}, headers=reviewer)).json()["items"]
        assert len(reviews) == 1
        # Each outbox message reached its receiver once (the relays of both processes raced for them).
        assert served_by(cluster["logs"]["review"], "POST", "/api/v1/reviews") == opened_before + 1
        assert served_by(cluster["logs"]["intake"], "POST", f"/api/v1/projects/{pid}/review-events") == 2
        assert served_by(cluster["logs"]["registry"], "POST", "/api/v1/agencies/[^ /]+/performance") == performance_before + 1
        for service in ("intake", "review"):
            sent = _query(cluster["databases"][service],
                          f"SELECT attempts, delivered_at IS NOT NULL FROM outbox_message WHERE payload::text LIKE '%{pid}%'")
            assert sent and all(row == "1|t" for row in sent), (service, sent)
        for p in [project, *(r.json() for r in many)]:
            ledger = (await client.get(f"/api/v1/projects/{p['id']}/ledger", params={"verify": "true"}, headers=filer)).json()
            assert ledger["verified"] is True, ledger
        # Both processes of every service served part of the work.
        for name in ("registry", "intake", "review"):
            per_process = [served_by([log], "(GET|POST|PUT)", "/api/v1/[^ ]*") for log in cluster["logs"][name]]
            assert all(n > 0 for n in per_process), (name, per_process)

        # Metrics: verdicts, draws and login failures were counted by the processes that saw them.
        texts = [(await client.get(f"http://127.0.0.1:{port}/metrics")).text for port in cluster["ports"]["review"]]
        assert any('wenping_review_verdicts_total{verdict="approved"} 1.0' in t for t in texts)
        texts = [(await client.get(f"http://127.0.0.1:{port}/metrics")).text for port in cluster["ports"]["registry"]]
        assert sum(float(m) for t in texts for m in re.findall(r'wenping_expert_draws_total\{outcome="drawn"\} (\S+)', t)) == 2
        assert sum(float(m) for t in texts
                   for m in re.findall(r'wenping_login_failures_total\{reason="bad_credentials"\} (\S+)', t)) == 5


async def test_one_trace_crosses_the_services(cluster: dict[str, Any]) -> None:
    """Filing in intake calls the registry: both processes' spans carry one trace id (OTLP)."""
    async with httpx.AsyncClient(base_url=cluster["gateway"], timeout=30) as client:
        gw = Gateway(client)
        r = await client.post("/api/v1/projects", json=project_body(f"追踪-{uuid.uuid4().hex[:6]}"),
                              headers=await gw.auth("jx.fgw.filer"))
        assert r.status_code == 201, r.text
        receiver: OtlpReceiver = cluster["receiver"]

        async def crossing() -> set[str] | None:
            by_trace: dict[str, set[str]] = {}
            for service, trace_id in receiver.spans():
                by_trace.setdefault(trace_id, set()).add(service)
            found = {t for t, services in by_trace.items() if {"wenping-intake", "wenping-registry"} <= services}
            return found or None

        trace_ids = await gw.until(crossing, "spans of intake and registry in one trace", within=15)
        logged = "".join(log.read_text(encoding="utf-8", errors="replace") for log in cluster["logs"]["intake"])
        assert any(f'"trace_id": "{t}"' in logged for t in trace_ids), "the trace id is in intake's JSON logs"
