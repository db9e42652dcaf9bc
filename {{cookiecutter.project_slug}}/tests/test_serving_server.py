"""The real scoring server (azureml-inference-server-http) on 127.0.0.1 and a port from the OS."""

import http.client
import json
import math
import os
import socket
import time
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.serving import smoke
from {{ cookiecutter.package_name }}.serving.server import LOOPBACK, LocalServer
from {{ cookiecutter.package_name }}.tabular.contract import load_contract

from serving_helpers import request_body, save_tiny_model, shipped_rows


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("model") / "model")


def test_server_scores_rejects_and_stops(model_dir, tmp_path):
    server = LocalServer(model_dir, log_path=tmp_path / "server.log")
    with server as url:
        pid = server.process.pid
        status, body = smoke.post(url + "/score", request_body(shipped_rows(3)).encode())
        assert status == 200, (tmp_path / "server.log").read_text()
        assert len(body["predictions"]) == 3
        bad = json.loads(request_body(shipped_rows(1)))
        bad["data"][0]["credit_score"] = 100
        status, body = smoke.post(url + "/score", json.dumps(bad).encode())
        assert status == 422
        assert body["problems"][0]["field"] == "credit_score"
        status, body = smoke.post(url + "/score", b"not json")
        assert status == 400
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the server and its workers are gone
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/", timeout=2)


def test_smoke_command_posts_the_sample_request(model_dir, capsys):
    assert smoke.main(["--model-dir", str(model_dir)]) == 0
    assert "smoke test passed: 3 predictions" in capsys.readouterr().out


def _half_sent(port: int, body: bytes) -> socket.socket:
    """A connection that announced ``body`` and sent only its first bytes: a slow (or hostile) client."""
    client = socket.create_connection((LOOPBACK, port), timeout=5)
    head = f"POST /score HTTP/1.1\r\nHost: {LOOPBACK}\r\nContent-Type: application/json\r\n"
    client.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])
    return client


def test_clients_sending_half_a_body_do_not_hold_up_a_valid_request(model_dir, tmp_path, monkeypatch):
    # The server's default (one synchronous worker, azureml-inference-server-http 1.5 constants.py
    # DEFAULT_WORKER_COUNT = 1) kept a valid request waiting 12 s behind one such client (issue 14, failure 5).
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    server = LocalServer(model_dir, log_path=tmp_path / "server.log")
    body = request_body(shipped_rows(2)).encode()
    with server as url:
        control_socket = server.run_dir / "gunicorn.ctl"
        slow = [_half_sent(server.port, body) for _ in range(3)]
        try:
            time.sleep(0.5)  # the server has taken them in and waits for the rest of their bodies
            for _ in range(3):
                started = time.monotonic()
                status, answer_body = smoke.post(url + "/score", body, timeout=10)
                waited = time.monotonic() - started
                assert status == 200, answer_body
                assert waited < 2, f"a valid request waited {waited:.1f} s behind slow clients"
        finally:
            for client in slow:
                client.close()
        # Each server has its own control socket, in its own temp folder, not one shared in ~/.gunicorn.
        assert control_socket.exists(), (tmp_path / "server.log").read_text()
    assert not (home / ".gunicorn").exists()
    assert not control_socket.parent.exists()  # removed with the server


# Property-based fuzz of the real server, as `make serve` runs it (issue 14, "Also build"): random and
# mutated requests never get a 500, and only requests the contract accepts get a 200. The oracle
# below is written from the contract and the README's request contract, not from the server's code.
CONTRACT = load_contract()
FEATURES = {column.name: column for column in CONTRACT.features}
JSON_TYPES = ["application/json", "application/json; charset=utf-8"]
CONTENT_TYPES = [
    *JSON_TYPES,
    "text/plain",
    "application/x-www-form-urlencoded",
    None,
    "application/json; charset=latin-1",
]
FUZZ_COUNTS = {"tried": 0, "clean": 0, "bad": 0, "answered 200": 0}


def _value_ok(column, value) -> bool:
    if column.type == "category":
        return isinstance(value, str) and value in [str(a) for a in column.allowed or ()]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    if column.type == "int" and value % 1:
        return False
    if column.allowed is not None and value not in column.allowed:
        return False
    return (column.min is None or value >= column.min) and (column.max is None or value <= column.max)


def expected_valid(body, content_type) -> bool:
    if content_type not in JSON_TYPES or not isinstance(body, dict) or set(body) != {"data"}:
        return False
    rows = body["data"]
    if not isinstance(rows, list) or not rows:
        return False
    return all(
        isinstance(row, dict) and set(row) == set(FEATURES) and all(_value_ok(FEATURES[k], v) for k, v in row.items())
        for row in rows
    )


def _column_values(column):
    if column.type == "category":
        return st.sampled_from([str(a) for a in column.allowed])
    if column.allowed is not None:
        return st.sampled_from(list(column.allowed))
    if column.type == "int":
        return st.integers(int(column.min), int(column.max))
    return st.floats(column.min, column.max, allow_nan=False)


valid_rows = st.fixed_dictionaries({name: _column_values(column) for name, column in FEATURES.items()})
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_rows(draw):
    row = dict(draw(valid_rows))
    how = draw(st.sampled_from(["replace", "add", "remove", "keep"]))
    name = draw(st.sampled_from(sorted(FEATURES)))
    if how == "replace":
        row[name] = draw(json_values)
    elif how == "add":
        row[draw(st.text(max_size=8))] = draw(json_values)
    elif how == "remove":
        del row[name]
    return row


bodies = st.one_of(
    st.builds(lambda rows: {"data": rows}, st.lists(valid_rows, min_size=1, max_size=4)),
    st.builds(lambda rows: {"data": rows}, st.lists(mutated_rows(), min_size=1, max_size=3)),
    st.dictionaries(st.sampled_from(["data", "input_data", "extra"]), json_values, max_size=2),
    json_values,
)


def post_raw(port: int, body: bytes, content_type: str | None) -> int:
    """The status of a POST /score sent exactly as given (no Content-Type header when None)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request("POST", "/score", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def running_server(model_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with LocalServer(model_dir, log_path=log) as url:
        yield int(url.rsplit(":", 1)[1]), log
    print(f"\nserver fuzz: {FUZZ_COUNTS}")


FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.slow
@FUZZ
@given(body=bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzzed_json_requests_never_get_a_500_and_only_valid_ones_a_200(running_server, body, content_type):
    port, log = running_server
    status = post_raw(port, json.dumps(body).encode(), content_type)  # json.dumps writes NaN, lone surrogates...
    expected = 200 if expected_valid(body, content_type) else "4xx"
    FUZZ_COUNTS["tried"] += 1
    ok = status == 200 if expected == 200 else 400 <= status < 500
    FUZZ_COUNTS["clean" if ok else "bad"] += 1
    FUZZ_COUNTS["answered 200"] += status == 200
    assert ok, f"{status} for {body!r} ({content_type}), expected {expected}; log: {log}"


@pytest.mark.slow
@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_fuzzed_raw_bodies_are_client_errors(running_server, raw):
    port, log = running_server
    status = post_raw(port, raw, "application/json")
    FUZZ_COUNTS["tried"] += 1
    FUZZ_COUNTS["clean" if 400 <= status < 500 else "bad"] += 1
    assert 400 <= status < 500, f"{status} for {raw!r}; log: {log}"
