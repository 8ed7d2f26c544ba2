"""The demo tasks: one of each kind of job, for the notebook and the command line."""

from __future__ import annotations

from .app import JobServer
from .samples import ALL_TYPES
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
    "AllTypes": Task(duration=3, steps=3, results={name: name for name in ALL_TYPES}),
    "ManyMessages": Task(duration=15, steps=20, message_count=10_000),
}


def register(server: JobServer) -> dict[str, str]:
    """Add the demo tasks to *server*; returns {task name: task URL}."""
    return {name: server.add_task(name, task) for name, task in DEMO_TASKS.items()}


def demo_jobs(server: JobServer) -> dict[str, str]:
    """Start one mission-style and one admin job; returns {label: job URL}."""
    return {
        "mission": server.create_job("mission", Task(duration=12, steps=6, job_type="addMission",
                                                     messages=["Started mission creation.",
                                                               "Creating feature services",
                                                               "Sharing items"])),
        "admin": server.create_job("admin", Task(duration=6)),
    }
