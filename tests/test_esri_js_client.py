"""Esri's own @esri/arcgis-rest-request Job class, unmodified, against the loopback server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gpjob_widget.server import JobServer, Task

NODE_DIR = Path(__file__).parent / "node"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="node and npm are needed for Esri's JS client")


@pytest.fixture(scope="module")
def node_modules():
    if not (NODE_DIR / "node_modules" / "@esri" / "arcgis-rest-request").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=NODE_DIR, check=True, timeout=300)
    return NODE_DIR


def _tasks(srv: JobServer) -> None:
    srv.add_task("EsriQuick", Task(duration=0.5, steps=2,
                                   results={"out_count": "GPLong", "out_table": "GPRecordSet"}))
    srv.add_task("EsriLong", Task(duration=60))
    srv.add_task("EsriFails", Task(duration=0.3, outcome="failed", error="Nope"))


@pytest.mark.parametrize("token", [None, "js-client-token"])
def test_esri_job_class_works_unmodified(node_modules, token):
    with JobServer(token=token) as srv:
        _tasks(srv)
        args = ["node", "esri_client.mjs", srv.url] + ([token] if token else [])
        run = subprocess.run(args, cwd=node_modules, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        findings = json.loads(run.stdout.strip().splitlines()[-1])
        assert findings["finalStatus"] == "Succeeded" and findings["problems"] == []
        assert findings["resultNames"] == ["out_count", "out_table"]
        long_job = next(j for j in srv.jobs.values() if j.task_name == "EsriLong")
        assert long_job.esri_status == "esriJobCancelled"  # the cancel reached the server
        methods = {r.method for r in srv.request_log}
        assert "POST" in methods  # the JS client POSTs every request with f=json in the body
