"""deploy/ kept honest without a container engine: every manifest parses, and every
service, command, port, environment variable and metric it names exists in the code; the
alert rules pass `promtool check rules` and their unit tests (`promtool test rules`)."""
from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from services.chassis.config import SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMTOOL = shutil.which("promtool")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def kubernetes() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"]
            for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    board = json.loads((DEPLOY / "grafana" / "jamsos-dashboard.json").read_text())
    return [t["expr"] for panel in board["panels"] for t in panel.get("targets", [])]


def env_names_read_by_the_code() -> set[str]:
    """Every environment variable a service reads (its literal name, `{upper}_X` per service,
    and NAME_FILE for keys read by `_key_from_env`)."""
    pattern = re.compile(r"""(_env|environ\.get|environ\[|_key_from_env)\(?\s*f?["']([A-Za-z0-9_{}]+)["']""")
    names: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        for call, name in pattern.findall(path.read_text()):
            expanded = {name.replace("{upper}", s.upper()) for s in SERVICES} if "{upper}" in name else {name}
            names |= expanded
            if call == "_key_from_env":
                names |= {f"{n}_FILE" for n in expanded}
    return names


def exported_metric_names() -> set[str]:
    """The series names the services export: every module that defines a metric, imported."""
    for path in (ROOT / "services").rglob("*.py"):
        if re.search(r"\b(Counter|Gauge|Histogram)\(", path.read_text()):
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    return {metric.name + suffix for metric in REGISTRY.collect() for suffix in suffixes.get(metric.type, ("",))}


def metrics_in(expr: str) -> set[str]:
    return set(re.findall(r"\b((?:jamsos|grpc_server)_[a-z0-9_]+)\b", expr))


def test_every_manifest_parses():
    assert compose()["services"]
    assert kubernetes()
    assert yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    assert alert_rules() and dashboard_exprs()


def test_compose_and_kubernetes_run_exactly_the_four_services_by_their_modules():
    composed = {name: spec for name, spec in compose()["services"].items() if "command" in spec}
    deployments = {d["metadata"]["name"]: d for d in kubernetes() if d["kind"] == "Deployment"}
    assert set(composed) == set(deployments) == set(SERVICES)
    for name in SERVICES:
        assert composed[name]["command"] == [f"services.{name}"]
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [f"services.{name}"]
        assert importlib.util.find_spec(f"services.{name}.__main__") is not None, name


def test_every_port_is_the_one_the_service_listens_on():
    composed, deployments = compose()["services"], {d["metadata"]["name"]: d for d in kubernetes() if d["kind"] == "Deployment"}
    k8s_services = {d["metadata"]["name"]: d for d in kubernetes() if d["kind"] == "Service"}
    targets = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    static = set(targets["static_configs"][0]["targets"])
    for name in SERVICES:
        settings = Settings.from_env(name)
        assert composed[name]["ports"] == [f"{settings.grpc_port}:{settings.grpc_port}"]
        template = deployments[name]["spec"]["template"]
        ports = {p["name"]: p["containerPort"] for p in template["spec"]["containers"][0]["ports"]}
        assert ports == {"grpc": settings.grpc_port, "http": settings.http_port}, name
        assert template["metadata"]["annotations"]["prometheus.io/port"] == str(settings.http_port)
        probes = template["spec"]["containers"][0]
        assert probes["readinessProbe"]["grpc"]["port"] == probes["livenessProbe"]["grpc"]["port"] == settings.grpc_port
        assert {p["port"] for p in k8s_services[name]["spec"]["ports"]} == {settings.grpc_port, settings.http_port}
        assert f"{name}:{settings.http_port}" in static


def test_every_environment_variable_the_manifests_set_is_read_by_the_code():
    read = env_names_read_by_the_code()
    named = set(compose()["x-service"]["environment"])
    for spec in compose()["services"].values():
        if "command" in spec:  # the four services; postgres and kafka read their images' own variables
            named |= set(spec.get("environment", {}))
    for d in kubernetes():
        if d["kind"] == "Deployment":
            named |= {e["name"] for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
    image_env = re.findall(r"\b([A-Z][A-Z0-9_]*)=", " ".join(re.findall(r"^ENV (.+)$", dockerfile(), re.M)))
    assert "GRPC_HOST" in image_env  # the image binds every interface, or nothing outside its container reaches it
    named |= {name for name in image_env if not name.startswith("PYTHON")}  # PYTHON*: the interpreter's own
    assert named - read == set()


def test_alerts_and_the_dashboard_query_only_metrics_the_services_export():
    exported = exported_metric_names()
    queried = {m for rule in alert_rules() for m in metrics_in(rule["expr"])} | \
              {m for expr in dashboard_exprs() for m in metrics_in(expr)}
    assert queried, "no metric found in the alert rules and the dashboard"
    assert queried - exported == set()


def exported_label_names() -> dict[str, set[str]]:
    """Series name -> the label names the services give it (histogram series add `le`)."""
    exported_metric_names()  # imports every module that defines a metric
    labels: dict[str, set[str]] = {}
    for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001 - the only list of label names
        names = set(getattr(collector, "_labelnames", ()))
        for series in REGISTRY._collector_to_names[collector]:  # noqa: SLF001
            labels[series] = names | ({"le"} if series.endswith("_bucket") else set())
    return labels


def labels_in(expr: str) -> tuple[dict[str, set[str]], set[str]]:
    """The label names each metric's selector matches on, and those of every `by (...)`."""
    matched = {metric: set(re.findall(r"([a-z_]+)\s*=~?", selector))
               for metric, selector in re.findall(r"\b((?:jamsos|grpc_server)_[a-z0-9_]+)\{([^}]*)\}", expr)}
    grouped = {label.strip() for group in re.findall(r"\bby\s*\(([^)]*)\)", expr) for label in group.split(",")}
    return matched, grouped


def test_alerts_and_the_dashboard_match_and_group_only_on_labels_the_metrics_have():
    exported = exported_label_names()
    for expr in [rule["expr"] for rule in alert_rules()] + dashboard_exprs():
        matched, grouped = labels_in(expr)
        for metric, labels in matched.items():
            assert labels <= exported[metric], (expr, metric, labels - exported[metric])
        # Grouping keeps a label some series of the expression has (or Prometheus's own target labels).
        present = set().union(*(exported[m] for m in metrics_in(expr))) | {"job", "instance"}
        assert grouped <= present, (expr, grouped - present)


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian package prometheus) is not installed; .ci/run installs it")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    rules = DEPLOY / "prometheus" / "alerts.yml"
    checked = subprocess.run([PROMTOOL, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=DEPLOY / "prometheus",
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_unit_test():
    tests = yaml.safe_load((DEPLOY / "prometheus" / "alerts_test.yml").read_text())
    tested = {case["alertname"] for t in tests["tests"] for case in t.get("alert_rule_test", [])}
    assert {rule["alert"] for rule in alert_rules()} <= tested
