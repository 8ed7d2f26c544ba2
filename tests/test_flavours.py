"""Parsing each flavour's JSON (REFERENCE.md §2, §4, §5) into JobSnapshots; URL checks."""

import pytest

from gpjob_widget import flavours
from gpjob_widget import status as st
from gpjob_widget.errors import InvalidJobURL
from gpjob_widget.snapshot import Message, new_messages

GP_URL = "https://h.example/arcgis/rest/services/Tools/GPServer/Buffer%20Points/jobs/j8f8"
ADMIN_URL = "https://h.example/arcgis/admin/jobs/j2bc"
MISSION_URL = "https://h.example/mission/rest/jobs/j5226"


def test_gp_job_json():
    body = {"jobId": "j8f8", "jobStatus": "esriJobExecuting",
            "progress": {"type": "step", "message": "Calculating", "percent": 42},
            "messages": [{"type": "esriJobMessageTypeInformative", "description": "Submitted."},
                         {"type": "esriJobMessageTypeWarning", "description": "C:\\tmp\r\nx"}],
            "results": {"out": {"paramUrl": "results/out"}},
            "inputs": {"in": {"paramUrl": "inputs/in"}}}
    snap = flavours.from_url(GP_URL).parse(body, GP_URL)
    assert snap.status == st.EXECUTING and snap.raw_status == "esriJobExecuting"
    assert snap.percent == 42.0
    assert snap.progress_message == "Calculating"
    assert snap.messages == (Message("informative", "Submitted."),
                             Message("warning", "C:\\tmp\r\nx"))
    assert snap.results == {"out": {"paramUrl": "results/out"}}
    assert snap.title == "Buffer Points"
    assert not snap.terminal


def test_gp_default_progress_has_no_percent():
    body = {"jobId": "j", "jobStatus": "esriJobExecuting",
            "progress": {"type": "default", "message": "Working"}}
    snap = flavours.GPFlavour().parse(body, GP_URL)
    assert snap.percent is None and snap.progress_message == "Working"


def test_notebook_web_tool_has_both_status_fields():
    body = {"jobId": "j1", "jobStatus": "esriJobSucceeded", "status": "COMPLETED",
            "startTime": 1590523221196, "endTime": 1590523287507, "type": "notebookWebTool",
            "username": "u", "customAttributes": {}, "messages": []}
    flavour = flavours.from_json(body)
    assert flavour.name == "gp"
    snap = flavour.parse(body, GP_URL)
    assert snap.status == st.SUCCEEDED and snap.terminal
    assert snap.started_at == 1590523221196 and snap.ended_at == 1590523287507


def test_mission_job_json():
    body = {"jobId": "j5226", "messages": ["Started mission creation.", "Step 2"],
            "startTime": 1590523221196, "endTime": 1590523287507, "type": "addMission",
            "status": "PROCESSING",
            "customAttributes": {"stepsCompleted": 2, "totalSteps": 5, "isCancelled": False,
                                 "missionId": "d942", "messageCodes": [1500, 1501]}}
    flavour = flavours.from_json(body)
    assert flavour.name == "mission" and flavours.from_url(MISSION_URL) is None
    snap = flavour.parse(body, MISSION_URL)
    assert snap.status == st.EXECUTING and snap.percent == 40.0
    assert snap.messages[0] == Message("informative", "Started mission creation.")
    assert snap.progress_message == "Step 2"
    assert snap.title == "addMission"
    assert snap.results == {"missionId": {"value": "d942"}}


def test_notebook_server_nested_progress():
    body = {"jobId": "j", "status": "EXECUTING", "progress": {"message": "cell 3", "percent": 30}}
    snap = flavours.MissionFlavour().parse(body, MISSION_URL)
    assert snap.percent == 30.0 and snap.progress_message == "cell 3"


def test_admin_job_json():
    running = {"updatedtime": 1635961542589, "jobid": "j2bc", "starttime": 1635961542583,
               "endtime": 0, "operationURI": "/context/admin/services/Fire.MapServer/edit",
               "status": "EXECUTING", "username": "serviceAdmin"}
    flavour = flavours.from_url(ADMIN_URL)
    assert flavour.name == "admin" and flavours.from_json(running).name == "admin"
    snap = flavour.parse(running, ADMIN_URL)
    assert snap.status == st.EXECUTING and snap.ended_at is None and snap.percent is None
    assert snap.title == "edit Fire.MapServer" and snap.job_id == "j2bc"
    done = {**running, "status": "COMPLETED", "endtime": 1635961549999,
            "result": {"serviceName": "Fire"}}
    snap = flavour.parse(done, ADMIN_URL)
    assert snap.terminal and snap.inline_result == {"serviceName": "Fire"}
    assert snap.results == {"result": {"value": {"serviceName": "Fire"}}}


def test_unknown_message_types_and_nulls_are_tolerated():
    msg = flavours.message_from({"type": "esriJobMessageTypeSomethingNew", "description": None})
    assert msg == Message("informative", "")
    abort = flavours.message_from({"type": "esriJobMessageTypeAbort", "description": "x"})
    assert abort.type == "abort"


@pytest.mark.parametrize("bad", [None, "", "   ", 42, "ftp://h/jobs/j1", "not a url",
                                 "https://h.example/arcgis/rest/services/T/GPServer/Buffer",
                                 "https://h.example/arcgis/rest/services/T/GPServer/Buffer/submitJob",
                                 "https://h.example/arcgis/rest/services"])
def test_bad_job_urls_raise_value_error(bad):
    with pytest.raises(InvalidJobURL) as info:
        flavours.check_job_url(bad)
    assert isinstance(info.value, ValueError)


def test_task_url_message_suggests_submit():
    with pytest.raises(InvalidJobURL, match="submit"):
        flavours.check_job_url("https://h.example/arcgis/rest/services/T/GPServer/Buffer")


def test_task_url_check_strips_submitjob_and_query():
    url = "https://h.example/arcgis/rest/services/T/GPServer/Buffer/submitJob?token=abc"
    assert flavours.check_task_url(url) == "https://h.example/arcgis/rest/services/T/GPServer/Buffer"


def test_flavour_override_by_name():
    assert flavours.by_name("notebook").name == "mission"
    with pytest.raises(ValueError, match="unknown flavour"):
        flavours.by_name("ftp")


def _m(i):
    return {"type": "informative", "description": str(i)}


def test_new_messages_appends_only_new_ones():
    known = [_m(1), _m(2)]
    assert new_messages(known, [_m(1), _m(2), _m(3)]) == [_m(3)]
    assert new_messages(known, known) == []
    assert new_messages([], [_m(1)]) == [_m(1)]


def test_new_messages_with_a_trimmed_head_loses_nothing():
    assert new_messages([_m(1), _m(2), _m(3)], [_m(2), _m(3), _m(4)]) == [_m(4)]
    assert new_messages([_m(1)], [_m(7), _m(8)]) == [_m(7), _m(8)]
