"""The real scoring server (azureml-inference-server-http) on 127.0.0.1 and a port from the OS."""

import json
import os
import socket
import time
import urllib.request

import pytest

from {{ cookiecutter.package_name }}.serving import smoke
from {{ cookiecutter.package_name }}.serving.server import LOOPBACK, LocalServer

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
