"""Azure Data Explorer (observability_store=adx): the tables and the ingestion match what scoring collects.

The online deployment's data collector writes each request as one JSON line whose "data" array holds the
collected rows (Microsoft Learn, "Collect production data from models deployed for real-time inferencing",
Store collected data in a blob). kql/tables.kql lands each line in CollectedRecords through a JSON mapping and
expands "data" into ModelInputs and ModelOutputs. KQL cannot run here, so these tests hold the files to the
code: kql/collected_schema.json must list exactly the columns and types that scoring collects, and the
tables, mapping and expansion functions must follow it. A column added to the collected data fails here
until the schema (templates/partials/collected_schema.j2 in the template) lists it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.serving.scenario import scoring

ROOT = Path(__file__).resolve().parents[1]
KQL = ROOT / "kql"
# The request the online sample sends (mlops/azureml/deploy/online/sample-request.json in online mode).
SAMPLE_REQUEST = json.loads(
    r"""
{%- include "partials/sample_requests/" ~ cookiecutter.ml_scenario ~ ".json" %}
"""
)
# The fields of one data collector line (the Learn article above) and the landing table's columns.
ENVELOPE = {
    "RecordId": ("$.id", "string"),
    "Type": ("$.type", "string"),
    "Time": ("$.time", "datetime"),
    "Source": ("$.source", "string"),
    "CorrelationId": ("$.correlationid", "string"),
    "ModelVersion": ("$.modelversion", "string"),
    "Data": ("$.data", "dynamic"),
}
KUSTO_TYPES = {"i": "long", "u": "long", "f": "real", "O": "string", "U": "string", "b": "bool"}
CONVERTERS = {"long": "tolong", "real": "todouble", "string": "tostring", "bool": "tobool"}


class StubModel:
    """Answers like the scenario's model, so that predict() shows the output columns without a trained model."""

    classes_ = np.array([0, 1])
    labels = np.array(["first", "second"])

    def predict_proba(self, features):
        return np.tile([0.3, 0.7], (len(features), 1))

    def probabilities(self, items):
{%- if cookiecutter.ml_scenario == "nlp" %}
        return pd.DataFrame({"first": [0.3] * len(items), "second": [0.7] * len(items)})
{%- else %}
        return np.tile([0.3, 0.7], (len(items), 1))
{%- endif %}


def kusto_columns(frame: pd.DataFrame) -> list[list[str]]:
    return [[name, KUSTO_TYPES[frame[name].dtype.kind]] for name in frame.columns]


def schema() -> dict:
    return json.loads((KQL / "collected_schema.json").read_text(encoding="utf-8"))


def commands(name: str) -> list[str]:
    """The commands of a database script: separated by an empty line (Microsoft Learn, "Configure a database
    using a Kusto Query Language script")."""
    text = (KQL / name).read_text(encoding="utf-8")
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def table_columns(name: str) -> list[list[str]]:
    for command in commands("tables.kql"):
        found = re.match(rf"\.create-merge table {name} \((.*)\)$", command, re.S)
        if found:
            return [[part.strip() for part in column.split(":")] for column in found.group(1).split(",")]
    raise AssertionError(f"kql/tables.kql creates no table {name}")


def collected() -> dict[str, pd.DataFrame]:
    inputs = scoring.inputs_from_request(SAMPLE_REQUEST)
    return {"model_inputs": scoring.collected(inputs), "model_outputs": scoring.predict(StubModel(), inputs)}


def test_schema_lists_what_scoring_collects():
    frames = collected()
    assert schema() == {collection: kusto_columns(frame) for collection, frame in frames.items()}


@pytest.mark.parametrize("collection, table", [("model_inputs", "ModelInputs"), ("model_outputs", "ModelOutputs")])
def test_tables_and_expansion_follow_the_schema(collection, table):
    columns = schema()[collection]
    context = [["Time", "datetime"], ["CorrelationId", "string"], ["Endpoint", "string"], ["Deployment", "string"]]
    assert table_columns(table) == context + columns
    expand = next(c for c in commands("tables.kql") if f") Expand{table}() " + "{" in c)
    assert f'where BlobUri has "/{collection}/"' in expand  # the collection's folder in the blob path
    projected = re.findall(r"(\w+) = (\w+)\(row\[\"(\w+)\"\]\)", expand)
    assert projected == [(name, CONVERTERS[kind], name) for name, kind in columns]
    policy = next(c for c in commands("tables.kql") if c.startswith(f".alter table {table} policy update"))
    assert f'"Query": "Expand{table}()"' in policy and '"Source": "CollectedRecords"' in policy


def test_landing_mapping_reads_every_field_of_a_collected_line():
    mapping_command = next(c for c in commands("tables.kql") if "ingestion json mapping" in c)
    mapping = json.loads(re.search(r"'(\[.*\])'", mapping_command, re.S).group(1))
    paths = {m["column"]: (m["Properties"].get("Path"), m["datatype"]) for m in mapping if "Path" in m["Properties"]}
    assert paths == ENVELOPE
    source = [m for m in mapping if m["Properties"].get("Transform") == "SourceLocation"]
    assert [m["column"] for m in source] == ["BlobUri"]  # where the collection name is read from
    assert table_columns("CollectedRecords") == [[c, t] for c, (_, t) in ENVELOPE.items()] + [["BlobUri", "string"]]


def test_drift_functions_cover_every_collected_column():
    drift = "\n".join(commands("drift.kql"))
    for name, _ in schema()["model_inputs"]:
        assert f'Feature = "{name}"' in drift, name
    assert 'Feature = "prediction"' in drift
