"""Pure parts of the transport: origins, token stripping, ArcGIS error bodies → exceptions."""

import pytest

from gpjob_widget import errors
from gpjob_widget.server_errors import error_from_body
from gpjob_widget.transport import Transport, origin_of, split_token


def test_origin_of_normalises_case_and_default_ports():
    assert origin_of("HTTPS://Host.Example:443/a/b") == "https://host.example"
    assert origin_of("http://h:8080/x") == "http://h:8080"
    assert origin_of("https://h:8443/x") != origin_of("https://h/x")


def test_split_token_removes_legacy_token_and_f():
    url, token = split_token("https://h/arcgis/rest/x/jobs/j1?token=SECRET&f=pjson&a=1")
    assert token == "SECRET" and "SECRET" not in url and "f=" not in url and "a=1" in url


@pytest.mark.parametrize(("body", "cls"), [
    ({"error": {"code": 498, "message": "Invalid Token"}}, errors.AuthError),
    ({"error": {"code": 499, "message": "Token Required"}}, errors.AuthError),
    ({"error": {"code": 403, "message": "You do not have permissions"}}, errors.PermissionDenied),
    ({"error": {"code": 400, "message": "Job not found", "details": []}}, errors.JobNotFound),
    ({"error": {"code": 400, "message": "Unable to complete operation.",
                "details": ["Invalid job id"]}}, errors.JobNotFound),
    ({"error": {"code": 500, "message": "Internal error"}}, errors.ServerError),
    ({"error": {"code": 400, "message": "Bad syntax"}}, errors.ArcGISError),
    ({"status": "error", "messages": ["Token expired."], "code": 498}, errors.AuthError),
    ({"status": "error", "messages": ["Cannot cancel."]}, errors.ArcGISError),
])
def test_error_bodies(body, cls):
    exc = error_from_body(body, "https://h/x")
    assert type(exc) is cls
    assert "{" not in str(exc)  # the server's words, not a raw dict


def test_server_errors_are_transient_and_arcgis():
    exc = error_from_body({"error": {"code": 503, "message": "busy"}}, "u")
    assert isinstance(exc, errors.TransientError) and isinstance(exc, errors.ArcGISError)


def test_success_bodies_are_not_errors():
    assert error_from_body({"jobId": "j", "jobStatus": "esriJobSucceeded"}, "u") is None
    assert error_from_body({"status": "COMPLETED"}, "u") is None


def test_error_text_carries_code_and_details():
    exc = error_from_body({"error": {"code": 400, "message": "Failed.",
                                      "details": ["Parameter x is invalid"]}}, "u")
    assert str(exc) == "Failed. (code 400): Parameter x is invalid"


def test_transport_repr_never_shows_the_token():
    transport = Transport("https://h/arcgis/rest/services/S/GPServer/T/jobs/j", "SECRET")
    assert "SECRET" not in repr(transport)
    assert transport._headers("https://h/other") == {"X-Esri-Authorization": "Bearer SECRET"}
    assert transport._headers("https://evil.example/x") == {}


def test_tls_opt_out_warns():
    with pytest.warns(UserWarning, match="verification is off"):
        Transport("https://h/x/jobs/j", verify=False)


def test_bad_token_type():
    with pytest.raises(TypeError):
        Transport("https://h/x/jobs/j", token=42)
