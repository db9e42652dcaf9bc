"""The real scoring server (azureml-inference-server-http) on 127.0.0.1 and a port from the OS."""

import json
import os
import urllib.request

import pytest

from {{ cookiecutter.package_name }}.serving import smoke
from {{ cookiecutter.package_name }}.serving.server import LocalServer

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
