"""The demo tasks: one of each kind of job, for the notebook and the command line."""

from __future__ import annotations

import re

from .app import JobServer
from .samples import ALL_TYPES, SA_ITEM_ID, SPATIAL_ANALYSIS, resolve
from .tasks import Message, Task

DEMO_TASKS: dict[str, Task] = {
    "BufferPoints": Task(duration=20, queue_time=1, steps=10, messages=[
        "Reading input features", Message("warning", "3 features have no geometry; skipped"),
        "Buffering 12,480 features", "Dissolving overlaps", "Writing output"],
        results={"out_features": "GPFeatureRecordSetLayer_polygons",
                 "summary": "GPRecordSet"}),
    "SummarizeWithin": Task(duration=8, steps=0, messages=["Indexing", "Summarising"],
                            outcome="failed",
                            error="ERROR 000732: Input Features: Dataset parcels does not exist"),
    "CalculateDensity": Task(duration=600, steps=100, messages=["Building the lattice"]),
    # output names are Python identifiers, as clients that make functions of tasks need
    "AllTypes": Task(duration=3, steps=3, results={re.sub(r"\W", "_", n): n for n in ALL_TYPES}),
    "ManyMessages": Task(duration=15, steps=20, message_count=10_000),
    "QueuedBuffer": Task(duration=6, queue_time=6, steps=3, queue_position=3,
                         status_words={"submitted": "Pending"},
                         results={"out_features": "GPFeatureRecordSetLayer_curves"}),
    "ExportTiles": Task(duration=4, steps=4, export_files=["tiles.vtpk"]),
}
# Spatial Analysis lives in its own service, as on ArcGIS Online and Enterprise.
ANALYSIS_TASKS: dict[str, Task] = {
    "CreateBuffers": Task(duration=5, steps=5, results=SPATIAL_ANALYSIS,
                          messages=["Buffering 3 features", "Writing a hosted layer"]),
}


def register(server: JobServer) -> dict[str, str]:
    """Add the demo tasks (and the hosted layer and item Spatial Analysis points at) to
    *server*; returns {task name: task URL}."""
    layer_url = server.add_layer("Buffers", resolve("GPFeatureRecordSetLayer")[1])
    server.add_item(SA_ITEM_ID, layer_url.rsplit("/", 1)[0], title="Buffers")
    urls = {name: server.add_task(name, task) for name, task in DEMO_TASKS.items()}
    urls.update({name: server.add_task(name, task, service="Analysis")
                 for name, task in ANALYSIS_TASKS.items()})
    return urls


def demo_jobs(server: JobServer) -> dict[str, str]:
    """Start one mission-style and one admin job; returns {label: job URL}."""
    return {
        "mission": server.create_job("mission", Task(duration=12, steps=6, job_type="addMission",
                                                     messages=["Started mission creation.",
                                                               "Creating feature services",
                                                               "Sharing items"])),
        "admin": server.create_job("admin", Task(duration=6)),
        "server admin": server.create_job("system", Task(duration=8, steps=4, messages=[
            "Stopping the service 'USA'", "Saving edits to the configuration store",
            "Starting the service 'USA'", "Verifying the service"])),
    }
