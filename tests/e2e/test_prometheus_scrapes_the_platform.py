"""A real Prometheus (Debian's `prometheus`), started here with deploy/'s alert rules, scrapes
the platform started exactly as `make run` starts it: every service target is up and the
rules load. The scrape job and its targets are deploy/prometheus.yml's, on this run's ports."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.e2e.platform_runs import start_platform
from tests.harness.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = shutil.which("prometheus")


def api(port: int, path: str) -> dict:
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/{path}", timeout=5))["data"]


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus (Debian package) is not installed; .ci/run installs it")
def test_prometheus_scrapes_every_service_of_the_running_platform(tmp_path):
    platform = start_platform(tmp_path)
    prometheus = None
    try:
        platform.wait_for_banner()
        config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
        job = config["scrape_configs"][0]
        job["static_configs"] = [{"targets": [f"127.0.0.1:{http}" for _grpc, http in platform.ports.values()]}]
        config["global"]["scrape_interval"] = "1s"
        config["scrape_configs"] = [job]
        shutil.copy(ROOT / "deploy" / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = free_port()
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prom.log", "w"))
        deadline, targets = time.monotonic() + 60, []
        while time.monotonic() < deadline:
            try:
                targets = api(port, "targets")["activeTargets"]
                if len(targets) == 4 and all(t["health"] == "up" for t in targets):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert sorted((t["labels"]["job"], t["health"]) for t in targets) == [(job["job_name"], "up")] * 4, \
            (targets, (tmp_path / "prom.log").read_text()[-2000:])
        rules = api(port, "rules")["groups"]
        assert {r["name"] for g in rules for r in g["rules"]} >= {"OutboxBacklogGrowing", "ServiceDown"}
        series = api(port, "label/__name__/values")
        assert {"up", "jamsos_outbox_backlog"} <= set(series)  # the relay's gauge, scraped from the services
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(timeout=30)
        platform.stop()
