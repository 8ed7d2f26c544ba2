"""Esri's own Python client (arcgis 2.4.4) against the loopback server, and its jobs and
sign-in in our widget: import_toolbox → submit → result / cancel, with and without a token;
JobWidget / JobBoard / Job.of on GPJob (and its wrappers), NotebookJob, AsyncJob, MissionJob;
token=GIS and token=EsriSession. Everything stays on 127.0.0.1 (the fixture refuses any other
host: arcgis falls back to www.arcgis.com in some paths)."""

from __future__ import annotations

import socket
import subprocess
import sys
import warnings
from concurrent.futures import Future

import pytest
from arcgis.auth import EsriSession, EsriUserTokenAuth
from arcgis.geoprocessing import import_toolbox
from arcgis.geoprocessing._job import RAJob

from gpjob_widget import Job, JobBoard, JobWidget
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task

TOKEN = "interop-s3cret"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real = socket.getaddrinfo

    def only_loopback(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(f"test: no network beyond loopback ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback)


def _tasks(srv: JobServer) -> str:
    srv.add_task("Buffer", Task(duration=1.0, steps=2, inputs={"in_distance": "GPDouble"},
                                results={"out_table": "GPRecordSet", "summaryText": "GPString"}),
                 service="Interop")
    srv.add_task("Slow", Task(duration=60, steps=10), service="Interop")
    return f"{srv.url}/arcgis/rest/services/Interop/GPServer"


@pytest.fixture
def secured():
    with JobServer(token=TOKEN) as server:
        yield server


def test_esris_client_imports_submits_waits_and_cancels(server):
    srv = server
    tb = import_toolbox(_tasks(srv))
    job = tb.buffer(in_distance=5.0, future=True)
    out = job.result()
    assert len(out.out_table) == 3 and out.summary_text == "Buffered 3 features"
    submit = next(r for r in srv.request_log if r.path.endswith("/Buffer/submitJob"))
    assert submit.method == "POST" and "in_distance=5.0" in submit.body
    slow = tb.slow(future=True)
    assert slow.cancel() is True
    job_id = slow._jobid
    assert srv.jobs[job_id].esri_status in ("esriJobCancelling", "esriJobCancelled")


def test_esris_client_with_a_token_in_its_session(secured):
    session = EsriSession(auth=EsriUserTokenAuth(token=TOKEN))
    tb = import_toolbox(_tasks(secured), gis=session)
    out = tb.buffer(in_distance=1.0, gis=session, future=True).result()
    assert out.summary_text == "Buffered 3 features"
    sent = {r.headers.get("X-Esri-Authorization") for r in secured.request_log}
    assert f"Bearer {TOKEN}" in sent


def test_our_card_follows_an_arcgis_job_with_the_jobs_own_sign_in(secured, poller):
    session = EsriSession(auth=EsriUserTokenAuth(token=TOKEN))
    tb = import_toolbox(_tasks(secured), gis=session)
    gpjob = tb.buffer(in_distance=2.0, gis=session, future=True)
    w = JobWidget(gpjob, poller=poller, poll_interval=0.05)  # no URL, no token copied by hand
    try:
        assert w.job_url == f"{gpjob._url}/jobs/{gpjob._jobid}" and w.flavour == "gp"
        assert w.wait(timeout=60) == st.SUCCEEDED
        assert w.results["summaryText"] == "Buffered 3 features"
        ours = [r for r in secured.request_log if r.headers.get("User-Agent") == "gpjob_widget"]
        assert ours and all(r.headers.get("X-Esri-Authorization") == f"Bearer {TOKEN}"
                            for r in ours)
        assert TOKEN not in repr(w) and TOKEN not in str(w.get_state())
    finally:
        w.close()
    gpjob.result()


def test_an_explicit_token_wins_and_the_board_takes_arcgis_jobs(secured, poller):
    session = EsriSession(auth=EsriUserTokenAuth(token="expired-or-wrong"))
    tb = import_toolbox(_tasks(secured), gis=EsriSession(auth=EsriUserTokenAuth(token=TOKEN)))
    gpjob = tb.buffer(in_distance=2.0, gis=EsriSession(auth=EsriUserTokenAuth(token=TOKEN)),
                      future=True)
    gpjob.session = session  # the job's own sign-in is wrong: token= must win
    board = JobBoard(token=TOKEN, poller=poller, poll_interval=0.05)
    try:
        job = board.add(gpjob)
        assert board.wait(timeout=60)[job.job_id] == st.SUCCEEDED
        wrapped = Job.of(RAJob(gpjob), token=TOKEN)  # raster analysis wraps a GPJob
        assert wrapped.job_url == job.job_url
    finally:
        board.close()


def test_token_from_an_esri_session(secured, poller):
    url = _tasks(secured)
    job_url = Job.submit(url + "/Buffer", {"in_distance": 1}, token=TOKEN).job_url
    session = EsriSession(auth=EsriUserTokenAuth(token=TOKEN))
    w = JobWidget(job_url, token=session, poller=poller, poll_interval=0.05)
    try:
        assert w.wait(timeout=60) == st.SUCCEEDED
    finally:
        w.close()


@pytest.fixture
def portal():
    from arcgis import env

    with JobServer(token=TOKEN, tls=True) as server:
        server.users["analyst"] = "pa55word"
        yield server
    env.active_gis = None  # a GIS makes itself the default of every later tool call


def _gis(portal, **kwargs):
    from arcgis.gis import GIS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GIS(portal.url, verify_cert=False, **kwargs)


def test_token_from_a_gis_signed_in_with_a_generated_token(portal, poller, tmp_path):
    gis = _gis(portal, username="analyst", password="pa55word", use_gen_token=True)
    assert gis.properties.portalName == "Loopback portal"
    url = _tasks(portal)
    issued = gis._con.token
    assert issued and issued != TOKEN
    job = Job.submit(url + "/Buffer", {"in_distance": 1}, token=gis, verify=portal.tls_cert)
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=60) == st.SUCCEEDED
    assert job.results["out_table"].shape == (3, 5)  # result downloads on the same origin too
    ours = [r for r in portal.request_log if r.headers.get("User-Agent") == "gpjob_widget"]
    assert ours and {r.headers.get("X-Esri-Authorization") for r in ours} == {f"Bearer {issued}"}


def test_other_arcgis_job_objects(portal, poller):
    from arcgis._impl._async.jobs import NotebookJob
    from arcgis.gis.mission.api import MissionJob
    from arcgis.gis.server.admin._system import AsyncJob

    gis = _gis(portal, token=TOKEN)  # a token given to GIS is taken as an API key
    session = EsriSession(auth=EsriUserTokenAuth(token=TOKEN), verify=False)
    admin = AsyncJob(url=portal.create_job("system", Task(duration=0.5, steps=2)),
                     session=session)
    notebook = NotebookJob(Future(), "executeNotebook", jobid="j1",
                           task_url=portal.create_job("notebook", Task(duration=0.5)), gis=gis)
    mission = MissionJob(portal.create_job("mission", Task(duration=0.5, steps=2)), gis)
    for obj, flavour in ((admin, "admin"), (notebook, "mission"), (mission, "mission")):
        job = Job.of(obj, verify=portal.tls_cert)
        assert job.flavour.name == flavour
        job.watch(poll_interval=0.05, poller=poller)
        assert job.wait(timeout=60) == st.SUCCEEDED, (obj, job.error)


def test_a_future_that_carries_a_job():
    with JobServer() as srv:
        tb = import_toolbox(_tasks(srv))
        gpjob = tb.buffer(in_distance=1.0, future=True)
        future = Future()
        future.job = gpjob  # a tool's Future that knows its job
        assert Job.of(future).job_url == f"{gpjob._url}/jobs/{gpjob._jobid}"
        gpjob.result()
    with pytest.raises(TypeError, match="not a job URL or a job object"):
        Job.of(Future())


def test_importing_gpjob_widget_does_not_import_arcgis():
    run = subprocess.run([sys.executable, "-c", "import sys, gpjob_widget; "
                          "from gpjob_widget import JobWidget, JobBoard, Job; "
                          "print('arcgis' in sys.modules)"], capture_output=True, text=True,
                         timeout=60)
    assert run.stdout.strip() == "False", run.stderr
