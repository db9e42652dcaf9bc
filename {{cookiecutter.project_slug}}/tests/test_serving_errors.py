"""What every scenario's online scoring refuses before looking at the items: the request contract of the README."""

import json

import pytest

from {{ cookiecutter.package_name }}.serving.errors import (
    RequestError,
    batch_line,
    check_content_type,
    column_items,
    parse_json,
)


def status_of(call, *args) -> int:
    with pytest.raises(RequestError) as caught:
        call(*args)
    return caught.value.status


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"x": ' + "9" * 400 + "}", 400),  # was an OverflowError (500) in the contract checks
        ('{"x": ' + "9" * 5000 + "}", 400),  # beyond Python's int digit limit: must not be a ValueError trace
        ('{"x": -9223372036854775809}', 400),  # one below int64
        ('{"x": 1e400}', 400),
        ('{"x": NaN}', 400),
        ('{"x": -Infinity}', 400),
        ("[" * 10_000 + "]" * 10_000, 400),  # was a RecursionError (500)
        ('{"x": "\\udcff"}', 400),  # a lone surrogate: was a UnicodeEncodeError in pandas/pyarrow (500)
        ('{"x": "\\ud83d"}', 400),  # half a pair
        ('{"x": 1, "x": 2}', 422),
        ('{"a": {"y": 1, "y": 1}}', 422),
        ("not json", 400),
        ("", 400),
    ],
)
def test_bodies_no_row_can_hold_are_client_errors(raw, status):
    assert status_of(parse_json, raw) == status


def test_valid_json_at_the_edges_parses():
    assert parse_json('{"x": 9223372036854775807, "y": -1.5e300, "z": "\\ud83d\\ude80 \\\\udcff"}') == {
        "x": 2**63 - 1,
        "y": -1.5e300,
        "z": "\U0001f680 \\udcff",  # an escaped backslash before "udcff" is plain text, not a surrogate
    }
    assert parse_json(b'{"data": []}') == {"data": []}


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"content-type": "Application/JSON; charset=utf-8"},
        {"CONTENT-TYPE": 'application/json;charset="UTF-8"'},
    ],
)
def test_json_content_types_are_accepted(headers):
    check_content_type(headers)


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/json; charset=latin-1"},
        {"Content-Type": "application/jsonp"},
    ],
)
def test_other_content_types_are_415(headers):
    # curl -d sends application/x-www-form-urlencoded unless told otherwise.
    assert status_of(check_content_type, headers) == 415


@pytest.mark.parametrize(
    "body",
    [
        {"texts": ["a"], "debug": True},
        {"input_data": {"columns": ["text"], "data": [["a"]]}, "texts": None},
        {"input_data": {"columns": ["text"], "data": [["a"]], "params": {"temperature": 1}}},
    ],
)
def test_unknown_fields_of_a_one_column_request_are_422(body):
    assert status_of(column_items, body, "texts", "text", "strings", 10) == 422


def test_azure_ml_split_format_may_carry_its_index():
    body = {"input_data": {"columns": ["text"], "index": [0, 1], "data": [["a"], ["b"]]}}
    assert column_items(body, "texts", "text", "strings", 10) == ["a", "b"]


def test_parsed_requests_round_trip_through_json():
    assert json.loads(json.dumps(parse_json('{"t": "\\u00e9\\ud83d\\ude80"}'), ensure_ascii=False)) == {"t": "é🚀"}


@pytest.mark.parametrize(
    "value",
    ["a\u2028b", "a\x85b", "a\x0cb", "a\x1eb", "a\rb", "a\nb", "a\u2029b", "a\x1cb", "a\x1db", "a\x0bb"],
)
def test_a_batch_line_is_one_line_whatever_the_id_holds(value):
    # str.splitlines() splits on all of these; a scored row must stay one line for Azure ML's append_row.
    line = batch_line(["f.csv", 1, value, 0, 0.5, ""])
    assert len(line.splitlines()) == 1
