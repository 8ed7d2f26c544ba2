"""The command-line demo server looks like a real GP service: Esri's own ``import_toolbox``
(arcgis 2.4.4) builds a function for every demo task, and each runs to its result (or to the
server's own failure). Every task declares its parameters as real services do, and its jobs
echo what they received."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import warnings

import pytest
import requests

from gpjob_widget.server.demo import ANALYSIS_TASKS, DEMO_TASKS

FIELDS = ("name", "dataType", "displayName", "description", "direction", "defaultValue",
          "parameterType", "category")


@pytest.fixture(scope="module")
def demo_server():
    """``python -m gpjob_widget.server`` for real, 50 times faster than the demo."""
    proc = subprocess.Popen([sys.executable, "-m", "gpjob_widget.server", "--time-scale", "0.02",
                             "--tls"],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "GPJOB_HISTORY": "0"})
    lines: list[str] = []
    try:
        for line in proc.stdout:  # the URLs are printed once every task is registered
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        url = re.search(r"on (https://\S+)", lines[0]).group(1)
        yield url, lines
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real = socket.getaddrinfo

    def only_loopback(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(f"test: no network beyond loopback ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback)


def test_every_demo_task_declares_its_parameters(demo_server):
    url, lines = demo_server
    assert sum(" task " in line for line in lines) == len(DEMO_TASKS) + len(ANALYSIS_TASKS)
    for service, tasks in (("Demo", DEMO_TASKS), ("Analysis", ANALYSIS_TASKS)):
        for name in tasks:
            body = requests.get(f"{url}/arcgis/rest/services/{service}/GPServer/{name}",
                                params={"f": "json"}, timeout=10, verify=False).json()
            inputs = [p for p in body["parameters"] if p["direction"].endswith("Input")]
            outputs = [p for p in body["parameters"] if p["direction"].endswith("Output")]
            assert inputs, f"{name} declares no inputs"
            assert outputs, f"{name} declares no outputs"
            for p in body["parameters"]:
                assert all(key in p for key in FIELDS), (name, p)
                assert p["displayName"] and p["dataType"]
    buffer = requests.get(f"{url}/arcgis/rest/services/Demo/GPServer/BufferPoints",
                          params={"f": "json"}, timeout=10, verify=False).json()
    by_name = {p["name"]: p for p in buffer["parameters"]}
    assert by_name["in_features"]["filter"] == {"type": "featureClass",
                                                "list": ["esriGeometryPoint"]}
    assert by_name["in_features"]["defaultValue"]["geometryType"] == "esriGeometryPoint"
    assert by_name["dissolve_type"]["filter"]["type"] == "codedValue"
    assert by_name["dissolve_type"]["category"] == "Options"


def test_import_toolbox_builds_and_runs_every_demo_task(demo_server):
    from arcgis.geoprocessing import import_toolbox
    from arcgis.gis import GIS

    url, _ = demo_server
    ran: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the Demo service has a result map service: arcgis makes a layer of it on this GIS
        # (without one, on an anonymous www.arcgis.com)
        gis = GIS(url, verify_cert=False)
    for service, tasks in (("Demo", DEMO_TASKS), ("Analysis", ANALYSIS_TASKS)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            toolbox = import_toolbox(f"{url}/arcgis/rest/services/{service}/GPServer", gis=gis)
        for name, task in tasks.items():
            function = getattr(toolbox, re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
            kwargs = {"future": True, "gis": gis}
            if name == "CreateBuffers":
                kwargs["input_layer"] = json.dumps({"url": f"{url}/arcgis/rest/services/"
                                                           "Hosted/Buffers/FeatureServer/0"})
            job = function(**kwargs)
            if task.outcome == "failed":
                with pytest.raises(Exception, match=re.escape(task.error.split(":")[0])):
                    job.result()
                ran[name] = "failed as scripted"
                continue
            job.result()
            ran[name] = "succeeded"
    assert set(ran) == set(DEMO_TASKS) | set(ANALYSIS_TASKS), ran


def test_jobs_echo_what_they_received(demo_server):
    from gpjob_widget import Job

    url, _ = demo_server
    task = f"{url}/arcgis/rest/services/Demo/GPServer/BufferPoints"
    params = {"in_features": {"geometryType": "esriGeometryPoint", "features": [
        {"geometry": {"x": 1, "y": 2}, "attributes": {}}], "spatialReference": {"wkid": 4326}},
        "distance": {"distance": 2, "units": "esriKilometers"}, "dissolve_type": "ALL"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = Job.submit(task, params, verify=False)
    assert job.wait(timeout=60, progress=False) == "job-succeeded"
    assert any(m["description"].startswith("Executing (BufferPoints): BufferPoints ")
               and '"esriKilometers"' in m["description"] for m in job.messages)
    recorded = requests.get(f"{job.job_url}/inputs/distance", params={"f": "json"},
                            timeout=10, verify=False).json()
    assert recorded == {"paramName": "distance", "dataType": "GPLinearUnit",
                        "value": {"distance": 2, "units": "esriKilometers"}}
