"""Blue/green decisions from the endpoint's traffic (as `az ml online-endpoint show` prints it)."""

import io
import json

import pytest

from {{ cookiecutter.package_name }}.serving import rollout


@pytest.mark.parametrize(
    ("traffic", "live", "new"),
    [
        ({}, None, "blue"),
        ({"blue": 0}, None, "blue"),
        ({"blue": 100}, "blue", "green"),
        ({"blue": 0, "green": 100}, "green", "blue"),
        ({"blue": 90, "green": 10}, "blue", "green"),
    ],
)
def test_live_and_next_colour(traffic, live, new):
    assert rollout.live(traffic) == live
    assert rollout.next_colour(traffic) == new


def test_switch_keeps_the_old_colour_at_zero_for_rollback():
    assert rollout.switch("green", "blue") == "green=100 blue=0"
    assert rollout.switch("blue", None) == "blue=100"


def test_cli_reads_endpoint_json_from_stdin(monkeypatch, capsys):
    endpoint = {"name": "ep", "traffic": {"blue": 100, "green": 0}}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(endpoint)))
    assert rollout.main(["next"]) == 0
    assert capsys.readouterr().out.strip() == "green"
    assert rollout.main(["switch", "--new", "green", "--old", "blue"]) == 0
    assert capsys.readouterr().out.strip() == "green=100 blue=0"
