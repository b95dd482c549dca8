"""deploy/k8s: renders with Kustomize, validates offline against the Kubernetes schemas (and the
CloudNativePG CRD schema), and holds what production needs: probes, limits, a locked-down
securityContext, no committed secret, routing the same as the gateway's."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from deploy_kit import (
    API_SERVICES,
    K8S,
    SERVICE_PORTS,
    SHARED_PATHS,
    concrete,
    ingress_route,
    load_yaml_documents,
    once_per_suite,
    openapi_paths,
    render,
)

pytestmark = pytest.mark.usefixtures("_once")
TARGETS = ("base", "overlays/production")
KUBERNETES_VERSION = "1.33.0"
SCHEMAS = Path(__file__).parent / "schemas"
CRD_SCHEMAS = {
    ("postgresql.cnpg.io/v1", "Cluster"): "cnpg-cluster-v1.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "cnpg-scheduledbackup-v1.json",
}


@pytest.fixture
def _once() -> None:
    once_per_suite()


def _strict(schema: Any) -> Any:
    """A structural CRD schema with unknown fields rejected (as `kubectl apply --validate=strict` does)."""
    if isinstance(schema, dict):
        schema = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema and not schema.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            schema["additionalProperties"] = False
        if schema.get("x-kubernetes-int-or-string"):
            schema.pop("type", None)
            schema["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        return schema
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def _crd_validator(api_version: str, kind: str) -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / CRD_SCHEMAS[(api_version, kind)]).read_text(encoding="utf-8"))
    schema.pop("$comment", None)
    schema = _strict(schema)
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft4Validator(schema)


def by_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


@pytest.mark.parametrize("target", TARGETS)
def test_every_manifest_renders_and_validates(target: str) -> None:
    docs = render(target)
    assert docs, "nothing rendered"
    problems = []
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        key = (doc["apiVersion"], doc["kind"])
        if key in CRD_SCHEMAS:
            errors = sorted(_crd_validator(*key).iter_errors(doc), key=str)
            problems += [f"{name}: {e.json_path}: {e.message}" for e in errors]
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{name}: {exc.path}: {exc.message}")
    assert problems == []


def test_crd_validation_rejects_a_broken_cluster() -> None:
    """The CRD check is real: a misspelt field and a wrong type are caught."""
    cluster = copy.deepcopy(by_kind(render("base"), "Cluster")[0])
    cluster["spec"]["instancez"] = 3
    cluster["spec"]["storage"]["size"] = 10
    errors = list(_crd_validator("postgresql.cnpg.io/v1", "Cluster").iter_errors(cluster))
    assert len(errors) == 2


def test_kubernetes_validation_rejects_a_broken_deployment() -> None:
    deployment = copy.deepcopy(by_kind(render("base"), "Deployment")[0])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("target", TARGETS)
def test_deployments_are_probed_limited_and_locked_down(target: str) -> None:
    docs = render(target)
    deployments = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    assert set(deployments) == {f"wenping-{s}" for s in SERVICE_PORTS}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            # A read-only root: whatever is written goes to a mounted volume.
            assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/tmp", "/var/lib/wenping"}, name
            assert ":" in container["image"] and not container["image"].endswith(":latest"), name


@pytest.mark.parametrize("target", TARGETS)
def test_each_service_has_service_hpa_pdb_and_migration_job(target: str) -> None:
    docs = render(target)
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for service in SERVICE_PORTS:
        for kind in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
            assert (kind, f"wenping-{service}") in names
    for service in API_SERVICES:
        assert ("Job", f"wenping-{service}-migrate") in names
        assert ("Cluster", f"wenping-{service}-db") in names
        backups = [d for d in by_kind(docs, "ScheduledBackup") if d["spec"]["cluster"]["name"] == f"wenping-{service}-db"]
        assert backups, f"no ScheduledBackup for {service}"
    assert ("NetworkPolicy", "default-deny") in names
    assert by_kind(docs, "ConfigMap")


def test_production_replicas_match_the_autoscaler_floors() -> None:
    docs = render("overlays/production")
    hpas = {d["spec"]["scaleTargetRef"]["name"]: d["spec"] for d in by_kind(docs, "HorizontalPodAutoscaler")}
    for deployment in by_kind(docs, "Deployment"):
        spec = hpas[deployment["metadata"]["name"]]
        assert spec["minReplicas"] == deployment["spec"]["replicas"] <= spec["maxReplicas"]
    for cluster in by_kind(docs, "Cluster"):
        assert cluster["spec"]["instances"] == 3
    assert all(d["metadata"].get("namespace") == "wenping" for d in docs if d["kind"] != "Namespace")


def _secret_refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("secretKeyRef", "secretRef", "accessKeyId", "secretAccessKey") and isinstance(value, dict):
                found.add(value["name"])
            elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                found.add(value["secretName"])
            elif key == "secretName" and isinstance(value, str):
                found.add(value)
            else:
                found |= _secret_refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _secret_refs(item)
    return found


def test_secrets_are_referenced_never_committed() -> None:
    docs = render("overlays/production")
    assert by_kind(docs, "Secret") == [], "a Secret is committed in the manifests"
    for path in K8S.rglob("*.yaml"):
        assert all(not isinstance(doc, dict) or doc.get("kind") != "Secret" for doc in load_yaml_documents(path)), path
        text = path.read_text(encoding="utf-8")
        assert "PRIVATE KEY" not in text and "wenping-dev-" not in text, path
    refs = _secret_refs(list(docs))
    assert {"wenping-registry-signing-key", "wenping-service-clients", "wenping-backup-s3", "wenping-tls"} <= refs
    assert {f"wenping-{s}-db-app" for s in API_SERVICES} <= refs


def test_network_policies_deny_by_default_and_open_only_the_gateway_path() -> None:
    policies = {d["metadata"]["name"]: d["spec"] for d in by_kind(render("base"), "NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"} and "ingress" not in deny
    sources = policies["api-ingress"]["ingress"][0]["from"]
    namespaces = {s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for s in sources
                  if "namespaceSelector" in s}
    assert namespaces == {"ingress-nginx", "monitoring"}
    for service in API_SERVICES:
        to = policies[f"{service}-to-own-database"]["egress"][0]["to"]
        assert to == [{"podSelector": {"matchLabels": {"cnpg.io/cluster": f"wenping-{service}-db"}}}]
        allowed = policies[f"{service}-database"]["ingress"][0]["from"]
        assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": service}}} in allowed
        others = {s for s in API_SERVICES if s != service}
        assert all(s.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") not in others
                   for s in allowed)


def test_ingress_routes_every_openapi_path_to_its_service() -> None:
    ingress = by_kind(render("overlays/production"), "Ingress")[0]
    assert ingress["spec"]["tls"][0]["secretName"] == "wenping-tls"
    wrong = []
    for service, paths in openapi_paths().items():
        for path in paths - SHARED_PATHS:
            target = ingress_route(ingress, concrete(path))
            if target != f"wenping-{service}":
                wrong.append(f"{path} -> {target} (owner {service})")
    assert wrong == [], "add these paths to deploy/k8s/base/ingress.yaml and deploy/gateway/nginx.conf"
    for shared in ("/api/v1/whoami", "/api/v1/meta/enums"):
        assert ingress_route(ingress, shared) == "wenping-registry"
    assert ingress_route(ingress, "/") == "wenping-portal"


def test_backends_name_real_service_ports() -> None:
    docs = render("base")
    ports = {d["metadata"]["name"]: {p["port"] for p in d["spec"]["ports"]} for d in by_kind(docs, "Service")}
    for entry in by_kind(docs, "Ingress")[0]["spec"]["rules"][0]["http"]["paths"]:
        backend = entry["backend"]["service"]
        assert backend["port"]["number"] in ports[backend["name"]]
