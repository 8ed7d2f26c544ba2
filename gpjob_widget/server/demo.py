"""The demo tasks: one of each kind of job, for the notebook and the command line."""

from __future__ import annotations

import dataclasses
import re

from .app import JobServer
from .params import Param
from .samples import ALL_TYPES, FIELDS, SA_ITEM_ID, SPATIAL_ANALYSIS, WEB_MERCATOR, WGS84, resolve
from .tasks import Message, Task

UNITS = ("esriMeters", "esriKilometers", "esriFeet", "esriMiles", "esriNauticalMiles")


def empty_features(geometry: str, sr: dict = WGS84) -> dict:
    """A feature input's default as services give it: an empty feature set whose schema
    (geometry type, spatial reference, fields) is what the service expects."""
    return {"displayFieldName": "", "geometryType": geometry, "spatialReference": sr,
            "fields": FIELDS[:3], "features": [], "exceededTransferLimit": False}


POINTS_IN = Param("GPFeatureRecordSetLayer", empty_features("esriGeometryPoint"),
                  "Input Points", "The points to buffer.", required=True,
                  filter={"type": "featureClass", "list": ["esriGeometryPoint"]})
BUFFER_INPUTS = {
    "in_features": POINTS_IN,
    "distance": Param("GPLinearUnit", {"distance": 5, "units": "esriMiles"}, "Distance",
                      "How far from each point.", required=True),
    "dissolve_type": Param("GPString", "NONE", "Dissolve Type", "Merge overlapping buffers.",
                           category="Options", choices=("NONE", "ALL"), filter={
                               "type": "codedValue", "list": [
                                   {"dataType": "GPString", "name": "No Dissolve",
                                    "value": "NONE"},
                                   {"dataType": "GPString", "name": "Dissolve All",
                                    "value": "ALL"}]}),
    "esri_out_feature_service_name": Param(
        "GPString", "", "Output Feature Service Name", "The name of the optional feature "
        "service to create with the result. If no name is given, none is created.",
        category="Options"),
}
STATISTICS = Param("GPValueTable", [["population", "SUM"]], "Summary Fields",
                   "The statistics to calculate per polygon.", category="Statistics",
                   columns=({"name": "field", "dataType": "GPString", "displayName": "Field",
                             "choiceList": ["population", "area_km2"]},
                            {"name": "statistic", "dataType": "GPString",
                             "displayName": "Statistic",
                             "choiceList": ["SUM", "MEAN", "MIN", "MAX", "COUNT"]}))
ALL_INPUTS = {
    "text": Param("GPString", "Redlands", "Text", "Any words.", category="Basic"),
    "count": Param("GPLong", 10, "Count", "A whole number from 0 to 100.", required=True,
                   category="Basic", filter={"type": "range", "minimum": 0, "maximum": 100}),
    "ratio": Param("GPDouble", 0.5, "Ratio", "A number from 0 to 1.", category="Basic",
                   filter={"type": "range", "minimum": 0, "maximum": 1}),
    "flag": Param("GPBoolean", True, "Flag", category="Basic"),
    "when": Param("GPDate", 1700000000000, "When", "A moment (UTC).", category="Basic"),
    "distance": Param("GPLinearUnit", {"distance": 5, "units": "esriMiles"}, "Distance",
                      "A length.", category="Units"),
    "area": Param("GPArealUnit", {"area": 2, "units": "esriSquareKilometers"}, "Area",
                  category="Units"),
    "tags": Param("GPMultiValue:GPString", ["roads"], "Tags", category="Collections",
                  choices=("roads", "rivers", "rail", "parcels")),
    "weights": Param("GPMultiValue:GPDouble", [1.5, 2.5], "Weights", category="Collections",
                     columns=({"name": "", "dataType": "GPDouble", "displayName": ""},)),
    "table": Param("GPValueTable", [[567, -56756.567]], "Ranges", category="Collections",
                   columns=({"name": "low", "dataType": "GPLong", "displayName": "Low",
                             "filter": {"type": "range", "minimum": -99999, "maximum": 99999}},
                            {"name": "high", "dataType": "GPDouble", "displayName": "High"})),
    "features": Param("GPFeatureRecordSetLayer", empty_features(
        "esriGeometryPolygon", WEB_MERCATOR), "Areas", category="Data", filter={
        "type": "featureClass", "list": ["esriGeometryPolygon"]}),
    "records": Param("GPRecordSet", {"fields": FIELDS[:3], "features": []}, "Records",
                     category="Data"),
    "report": Param("GPDataFile", None, "Report", "A file by URL or item id.", category="Data",
                    filter={"type": "file", "list": ["csv", "txt"]}),
    "raster": Param("GPRasterDataLayer", None, "Raster", category="Data"),
    "where": Param("GPSQLExpression", "population > 0", "Where", category="Data"),
}
SA_INPUTS = {
    "inputLayer": Param("GPString", None, "Input layer", "A layer URL, an item, or a feature "
                        "collection.", required=True),
    "distances": Param("GPMultiValue:GPDouble", [1], "Distances"),
    "units": Param("GPString", "Meters", "Units",
                   choices=("Meters", "Kilometers", "Feet", "Miles", "NauticalMiles", "Yards")),
    "dissolveType": Param("GPString", "None", "Dissolve type", choices=("None", "Dissolve")),
    "outputName": Param("GPString", None, "Output name",
                        "The name of the hosted layer to create."),
    "context": Param("GPString", None, "Context", "Extent and output spatial reference (JSON)."),
}

DEMO_TASKS: dict[str, Task] = {
    "BufferPoints": Task(duration=20, queue_time=1, steps=10, messages=[
        "Reading input features", Message("warning", "3 features have no geometry; skipped"),
        "Buffering 12,480 features", "Dissolving overlaps", "Writing output"],
        inputs=BUFFER_INPUTS,
        results={"out_features": "GPFeatureRecordSetLayer_polygons",
                 "summary": "GPRecordSet"}),
    "SummarizeWithin": Task(duration=8, steps=0, messages=["Indexing", "Summarising"],
                            outcome="failed",
                            error="ERROR 000732: Input Features: Dataset parcels does not exist",
                            inputs={"summary_polygons": Param(
                                "GPFeatureRecordSetLayer", empty_features("esriGeometryPolygon"),
                                "Summary Polygons", required=True, filter={
                                    "type": "featureClass", "list": ["esriGeometryPolygon"]}),
                                "statistics": STATISTICS},
                            results={"out_table": "GPRecordSet"}),
    "CalculateDensity": Task(duration=600, steps=100, messages=["Building the lattice"],
                             inputs={"in_features": POINTS_IN,
                                     "cell_size": Param("GPDouble", 100, "Cell Size", filter={
                                         "type": "range", "minimum": 1, "maximum": 1000}),
                                     "radius": Param("GPLinearUnit", {"distance": 1,
                                                                      "units": "esriMiles"},
                                                     "Search Radius"),
                                     "area_units": Param(
                                         "GPString", "SQUARE_KILOMETERS", "Area Units",
                                         choices=("SQUARE_MILES", "SQUARE_KILOMETERS"))},
                             results={"density": "GPRasterDataLayer"}),
    # output names are Python identifiers, as clients that make functions of tasks need
    "AllTypes": Task(duration=3, steps=3, inputs=ALL_INPUTS,
                     results={re.sub(r"\W", "_", n): n for n in ALL_TYPES}),
    "ManyMessages": Task(duration=15, steps=20, message_count=10_000, inputs={
        "batches": Param("GPLong", 10_000, "Batches", filter={
            "type": "range", "minimum": 1, "maximum": 100_000})},
        results={"processed": ("GPLong", 10_000)}),
    "QueuedBuffer": Task(duration=6, queue_time=6, steps=3, queue_position=3,
                         status_words={"submitted": "Pending"}, inputs=BUFFER_INPUTS,
                         results={"out_features": "GPFeatureRecordSetLayer_curves"}),
    "ExportTiles": Task(duration=4, steps=4, export_files=["tiles.vtpk"], results={
        "out_service_url": ("GPString", "")}, inputs={
        "tilePackage": Param("GPBoolean", True, "Tile package"),
        "exportBy": Param("GPString", "LevelID", "Export by", choices=(
            "LevelID", "Resolution", "Scale")),
        "levels": Param("GPString", "0-5", "Levels", required=True)}),
}
# Spatial Analysis lives in its own service, as on ArcGIS Online and Enterprise.
ANALYSIS_TASKS: dict[str, Task] = {
    "CreateBuffers": Task(duration=5, steps=5, results=SPATIAL_ANALYSIS, inputs=SA_INPUTS,
                          messages=["Buffering 3 features", "Writing a hosted layer"]),
}


def scaled(task: Task, time_scale: float) -> Task:
    """*task* running *time_scale* times as long (0.1: ten times faster)."""
    return dataclasses.replace(task, duration=task.duration * time_scale,
                               queue_time=task.queue_time * time_scale)


def register(server: JobServer, time_scale: float = 1.0) -> dict[str, str]:
    """Add the demo tasks (and the hosted layer and item Spatial Analysis points at) to
    *server*; returns {task name: task URL}. *time_scale* < 1 makes every job quicker."""
    layer_url = server.add_layer("Buffers", resolve("GPFeatureRecordSetLayer")[1])
    server.add_item(SA_ITEM_ID, layer_url.rsplit("/", 1)[0], title="Buffers")
    urls = {name: server.add_task(name, scaled(task, time_scale))
            for name, task in DEMO_TASKS.items()}
    urls.update({name: server.add_task(name, scaled(task, time_scale), service="Analysis")
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
